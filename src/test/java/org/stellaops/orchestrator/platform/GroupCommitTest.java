package org.stellaops.orchestrator.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The batching policy, driven by hand: each write stays open until the test completes it. */
class GroupCommitTest {

  private final List<List<Integer>> writes = new ArrayList<>();
  private final List<Promise<List<String>>> open = new ArrayList<>();

  private Future<List<String>> write(List<Integer> batch) {
    writes.add(batch);
    Promise<List<String>> done = Promise.promise();
    open.add(done);
    return done.future();
  }

  private void finish(int write) {
    open.get(write).complete(writes.get(write).stream().map(i -> "r" + i).toList());
  }

  @Test
  void itemsArrivingDuringAWriteGoTogetherIntoTheNextOne() {
    GroupCommit<Integer, String> commits = new GroupCommit<>(100, this::write);
    Future<String> first = commits.submit(1);
    List<Future<String>> later = List.of(commits.submit(2), commits.submit(3), commits.submit(4));

    assertThat(writes).containsExactly(List.of(1));
    finish(0);
    assertThat(first.result()).isEqualTo("r1");
    assertThat(writes).containsExactly(List.of(1), List.of(2, 3, 4));
    assertThat(later).noneMatch(Future::isComplete);
    finish(1);
    assertThat(later).extracting(Future::result).containsExactly("r2", "r3", "r4");
  }

  @Test
  void submitAllStartsOneBatchAndBatchesAreCappedAtMaxBatch() {
    GroupCommit<Integer, String> commits = new GroupCommit<>(3, this::write);
    List<Future<String>> results = commits.submitAll(List.of(1, 2, 3, 4, 5));

    assertThat(writes).containsExactly(List.of(1, 2, 3));
    finish(0);
    assertThat(writes).containsExactly(List.of(1, 2, 3), List.of(4, 5));
    finish(1);
    assertThat(results).extracting(Future::result).containsExactly("r1", "r2", "r3", "r4", "r5");
  }

  @Test
  void aSecondBatchStartsDuringAWriteOnlyOnceEnoughItemsWait() {
    GroupCommit<Integer, String> commits = new GroupCommit<>(100, 2, 3, this::write);
    commits.submit(1);
    commits.submit(2);
    commits.submit(3);
    assertThat(writes).as("two waiting items are not worth a second commit").hasSize(1);

    commits.submit(4);
    assertThat(writes).as("three are").containsExactly(List.of(1), List.of(2, 3, 4));

    commits.submitAll(List.of(5, 6, 7, 8));
    assertThat(writes).as("never more than two in flight").hasSize(2);
    finish(0);
    assertThat(writes).containsExactly(List.of(1), List.of(2, 3, 4), List.of(5, 6, 7, 8));
  }

  @Test
  void aFailedWriteFailsEveryItemOfItsBatchAndTheNextBatchStillRuns() {
    GroupCommit<Integer, String> commits = new GroupCommit<>(100, this::write);
    commits.submit(1);
    Future<String> second = commits.submit(2);
    Future<String> third = commits.submit(3);
    finish(0);
    open.get(1).fail(new IllegalStateException("database gone"));

    assertThat(second.failed()).isTrue();
    assertThat(third.cause()).hasMessage("database gone");
    Future<String> fourth = commits.submit(4);
    assertThat(writes).containsExactly(List.of(1), List.of(2, 3), List.of(4));
    finish(2);
    assertThat(fourth.result()).isEqualTo("r4");
  }
}
