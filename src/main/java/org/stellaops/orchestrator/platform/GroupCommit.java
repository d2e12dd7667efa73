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
 * previous one. By default one batch is in flight: an unconditional second would start with
 * whatever single item arrived next and halve the batches (measured: docs/benchmarks.md). A
 * second batch may be allowed, but only once enough items wait to make it worth a commit.
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
  private final int maxInFlight;
  private final int minOverlapBatch;
  private final ArrayDeque<Pending<T, R>> queue = new ArrayDeque<>();
  private int inFlight;

  private record Pending<T, R>(T item, Promise<R> promise) {}

  /** {@code write} stores a batch in one transaction and answers one result per item, in order. */
  public GroupCommit(int maxBatch, Function<List<T>, Future<List<R>>> write) {
    this(maxBatch, 1, Integer.MAX_VALUE, write);
  }

  /**
   * Allows up to {@code maxInFlight} batches at once, but starts one while another is being
   * written only when at least {@code minOverlapBatch} items wait: the database then executes
   * one batch while it flushes the other's commit, and no batch is started with a straggler.
   */
  public GroupCommit(int maxBatch, int maxInFlight, int minOverlapBatch, Function<List<T>, Future<List<R>>> write) {
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
    this.minOverlapBatch = minOverlapBatch;
    this.write = write;
  }

  /** Items waiting for the batch after the one being written. */
  public int queued() {
    return queue.size();
  }

  public Future<R> submit(T item) {
    return submitAll(List.of(item)).get(0);
  }

  /**
   * Submits several items at once: when nothing is being written they start one batch together
   * (item by item, the first would be written alone). Results in the order of {@code items}.
   */
  public List<Future<R>> submitAll(List<T> items) {
    List<Future<R>> results = new ArrayList<>(items.size());
    for (T item : items) {
      Promise<R> promise = Promise.promise();
      queue.add(new Pending<>(item, promise));
      results.add(promise.future());
    }
    drain();
    return results;
  }

  private void drain() {
    while (!queue.isEmpty() && inFlight < maxInFlight && (inFlight == 0 || queue.size() >= minOverlapBatch)) {
      writeOne();
    }
  }

  private void writeOne() {
    List<Pending<T, R>> batch = new ArrayList<>(Math.min(queue.size(), maxBatch));
    while (batch.size() < maxBatch && !queue.isEmpty()) {
      batch.add(queue.poll());
    }
    inFlight++;
    write.apply(batch.stream().map(Pending::item).toList()).onComplete(result -> {
      inFlight--;
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
