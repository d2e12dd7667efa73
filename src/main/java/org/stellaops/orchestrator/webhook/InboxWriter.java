package org.stellaops.orchestrator.webhook;

import io.vertx.core.Future;
import org.stellaops.orchestrator.platform.ApiException;
import org.stellaops.orchestrator.platform.GroupCommit;

/**
 * Stores webhook deliveries with a {@link GroupCommit}: many concurrent deliveries share one
 * multi-row insert and one commit, and each is answered only after its row committed. Each HTTP
 * verticle owns one writer, used only from its event loop.
 *
 * <p>When the database falls behind and {@code maxQueued} deliveries wait, new ones are
 * refused with 503 and {@code Retry-After} instead of queueing without bound.
 */
public final class InboxWriter {

  static final int MAX_BATCH = 512;
  /** Inserts in flight per writer (see {@link GroupCommit}); its connection pool has this many. */
  public static final int MAX_IN_FLIGHT = 1;

  private final int maxQueued;
  private final GroupCommit<NewDelivery, DeliveryRepository.Stored> inserts;

  /**
   * {@code afterCommit} runs once per committed batch that stored at least one new delivery to
   * process (it wakes the inbox processor: one message per commit, not one per delivery).
   */
  public InboxWriter(DeliveryRepository repository, int maxQueued, Runnable afterCommit) {
    this.maxQueued = maxQueued;
    this.inserts = new GroupCommit<>(MAX_BATCH, batch -> repository.insertBatch(batch).onSuccess(stored -> {
      for (int i = 0; i < batch.size(); i++) {
        if (!stored.get(i).duplicate() && Delivery.RECEIVED.equals(batch.get(i).status())) {
          afterCommit.run();
          return;
        }
      }
    }));
  }

  public Future<DeliveryRepository.Stored> submit(NewDelivery delivery) {
    if (inserts.queued() >= maxQueued) {
      return Future.failedFuture(ApiException.of(503, "BACKPRESSURE",
          "the inbox is behind; retry shortly").withRetryAfter(1));
    }
    return inserts.submit(delivery);
  }
}
