package org.stellaops.orchestrator.webhook;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.stellaops.orchestrator.platform.ApiException;

/**
 * Group commit for webhook deliveries. Each HTTP verticle owns one writer, used only from its
 * event loop (so it needs no locks). While the writer's insert is running, new deliveries queue;
 * when it commits, everything that queued meanwhile goes into the next multi-row insert. At low
 * load a delivery is written at once; under load each commit (one WAL flush, the real cost)
 * carries as many rows as arrived during the previous one. One insert in flight per writer is
 * deliberate: a second one would start with whatever single row arrived next and halve the
 * batches (measured: docs/benchmarks.md). A delivery's future completes only after its
 * transaction commits.
 *
 * <p>When the database falls behind and {@code maxQueued} deliveries wait, new ones are
 * refused with 503 and {@code Retry-After} instead of queueing without bound.
 */
public final class InboxWriter {

  static final int MAX_BATCH = 512;
  public static final int MAX_IN_FLIGHT = 1;

  private final DeliveryRepository repository;
  private final int maxQueued;
  private final Runnable afterCommit;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private int inFlight;

  private record Pending(NewDelivery delivery, Promise<DeliveryRepository.Stored> promise) {}

  /**
   * {@code afterCommit} runs once per committed batch that stored at least one new delivery to
   * process (it wakes the inbox processor: one message per commit, not one per delivery).
   */
  public InboxWriter(DeliveryRepository repository, int maxQueued, Runnable afterCommit) {
    this.repository = repository;
    this.maxQueued = maxQueued;
    this.afterCommit = afterCommit;
  }

  public Future<DeliveryRepository.Stored> submit(NewDelivery delivery) {
    if (queue.size() >= maxQueued) {
      return Future.failedFuture(ApiException.of(503, "BACKPRESSURE",
          "the inbox is behind; retry shortly").withRetryAfter(1));
    }
    Promise<DeliveryRepository.Stored> promise = Promise.promise();
    queue.add(new Pending(delivery, promise));
    drain();
    return promise.future();
  }

  private void drain() {
    while (inFlight < MAX_IN_FLIGHT && !queue.isEmpty()) {
      List<Pending> batch = new ArrayList<>(Math.min(queue.size(), MAX_BATCH));
      while (batch.size() < MAX_BATCH && !queue.isEmpty()) {
        batch.add(queue.poll());
      }
      inFlight++;
      repository.insertBatch(batch.stream().map(Pending::delivery).toList()).onComplete(result -> {
        inFlight--;
        boolean toProcess = false;
        for (int i = 0; i < batch.size(); i++) {
          if (result.succeeded()) {
            DeliveryRepository.Stored stored = result.result().get(i);
            toProcess |= !stored.duplicate() && Delivery.RECEIVED.equals(batch.get(i).delivery().status());
            batch.get(i).promise().complete(stored);
          } else {
            batch.get(i).promise().fail(result.cause());
          }
        }
        if (toProcess) {
          afterCommit.run();
        }
        drain();
      });
    }
  }
}
