package org.stellaops.orchestrator.platform;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Group commit: items submitted while one batch is being written go together into the next
 * batch, written by one statement and one commit. At low load an item is written at once; under
 * load each commit (one WAL flush, the real cost) carries as many items as arrived during the
 * previous one. One batch in flight is deliberate: a second would start with whatever single
 * item arrived next and halve the batches (measured: docs/benchmarks.md).
 *
 * <p>Used from one event loop only, so it needs no locks. Each item's future completes only
 * after its batch's statement has committed, with that item's result.
 *
 * @param <T> what is written
 * @param <R> the result for one item
 */
public final class GroupCommit<T, R> {

  private final int maxBatch;
  private final Function<List<T>, Future<List<R>>> write;
  private final ArrayDeque<Pending<T, R>> queue = new ArrayDeque<>();
  private boolean writing;

  private record Pending<T, R>(T item, Promise<R> promise) {}

  /** {@code write} stores a batch in one transaction and answers one result per item, in order. */
  public GroupCommit(int maxBatch, Function<List<T>, Future<List<R>>> write) {
    this.maxBatch = maxBatch;
    this.write = write;
  }

  /** Items waiting for the batch after the one being written. */
  public int queued() {
    return queue.size();
  }

  public Future<R> submit(T item) {
    Promise<R> promise = Promise.promise();
    queue.add(new Pending<>(item, promise));
    drain();
    return promise.future();
  }

  private void drain() {
    if (writing || queue.isEmpty()) {
      return;
    }
    List<Pending<T, R>> batch = new ArrayList<>(Math.min(queue.size(), maxBatch));
    while (batch.size() < maxBatch && !queue.isEmpty()) {
      batch.add(queue.poll());
    }
    writing = true;
    write.apply(batch.stream().map(Pending::item).toList()).onComplete(result -> {
      writing = false;
      for (int i = 0; i < batch.size(); i++) {
        if (result.succeeded()) {
          batch.get(i).promise().complete(result.result().get(i));
        } else {
          batch.get(i).promise().fail(result.cause());
        }
      }
      drain();
    });
  }
}
