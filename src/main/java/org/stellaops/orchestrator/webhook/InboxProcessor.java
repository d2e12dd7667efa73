package org.stellaops.orchestrator.webhook;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stellaops.orchestrator.integration.IntegrationService;
import org.stellaops.orchestrator.platform.EventOutbox;
import org.stellaops.orchestrator.platform.Backoff;
import org.stellaops.orchestrator.release.VersionRepository;

/**
 * Works the inbox after deliveries are acknowledged: woken right after each commit that stored
 * one and every second, it takes up to {@link #BATCH} due deliveries at a time and works each
 * batch in one transaction ({@link DeliveryRepository#withClaimed}): the rows are locked, their
 * events carried out (the version-map writes of the whole batch as one multi-row upsert,
 * {@link VersionWrites}), every outcome recorded with one statement, and all of it committed
 * together, with the subscriber events of the batch ({@code registry.image.pushed},
 * {@code ci.build.completed}) queued by one statement ({@link EventOutbox}). So a delivery's
 * effects, its subscriber events and its outcome commit together (exactly once), a processor
 * killed mid-batch leaves its rows {@code received} for the next one, and replicas share the work
 * (rows another replica's batch holds are skipped). Per delivery that is one row write, its
 * outcome, and no commit of its own.
 *
 * <p>A delivery whose event fails (a registry lookup, say) is recorded with its error and tried
 * again after a backoff ({@link Backoff#DELIVERIES}), failed at the attempt limit; the rest of its batch goes
 * on. A batch that fails as a whole (a statement PostgreSQL refuses) is rolled back and its
 * deliveries worked one at a time, so one bad row holds up no other. One batch at a time per
 * process keeps a tag's pushes in arrival order.
 *
 * <p>This class is the loop (when a batch runs, the fallback, stopping); what a batch does is {@link InboxBatch}.
 */
public final class InboxProcessor extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(InboxProcessor.class);
  public static final int BATCH = 512;

  private final DeliveryRepository deliveries;
  private final WebhookMetrics metrics;
  private final int idleSeconds;
  private final InboxBatch batch;
  private boolean busy;
  private boolean again;
  private boolean stopping;
  private io.vertx.core.Promise<Void> drained;
  private long timer;
  private MessageConsumer<Object> wake;

  /**
   * @param idleSeconds how long a batch's transaction may wait on this processor (a registry
   *     lookup, a stalled process) before PostgreSQL ends it and frees its rows for another
   */
  public InboxProcessor(DeliveryRepository deliveries, VersionRepository versions, IntegrationService integrations,
      EventApplier applier, WebhookMetrics metrics, int idleSeconds, EventOutbox outbox) {
    this.deliveries = deliveries;
    this.idleSeconds = idleSeconds;
    this.metrics = metrics;
    this.batch = new InboxBatch(deliveries, versions, integrations, applier, metrics, idleSeconds, outbox);
  }

  @Override
  public Future<?> start() {
    wake = vertx.eventBus().localConsumer(WebhookRoutes.WAKE_PROCESSOR, msg -> kick());
    timer = vertx.setPeriodic(1000, id -> {
      kick();
      deliveries.lagSeconds().onSuccess(metrics::inboxLag);
    });
    kick();
    return wake.completion();
  }

  /** Stops taking new batches and waits for the one in progress, so it never meets a closed pool. */
  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(timer);
    Future<Void> idle;
    if (busy) {
      drained = io.vertx.core.Promise.promise();
      idle = drained.future();
    } else {
      idle = Future.succeededFuture();
    }
    return wake.unregister().compose(v -> idle);
  }

  private void kick() {
    if (stopping) {
      return;
    }
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    again = false;
    runBatch();
  }

  private void runBatch() {
    List<Delivery> claimed = new ArrayList<>();
    deliveries.withClaimed(BATCH, idleSeconds, (tx, rows) -> {
          claimed.addAll(rows);
          return InboxBatch.attempt(() -> batch.work(tx, rows));
        })
        .map(applied -> {
          applied.committed(vertx.eventBus(), metrics);
          return claimed.size();
        })
        .recover(e -> claimed.isEmpty() ? Future.failedFuture(e) : oneAtATime(claimed, e).map(claimed.size()))
        .onComplete(result -> {
          if (result.failed()) {
            LOG.warn("inbox batch failed: {}", result.cause().getMessage());
          }
          if (!stopping && result.succeeded() && (result.result() == BATCH || again)) {
            again = false;
            runBatch();
          } else {
            busy = false;
            if (drained != null) {
              drained.tryComplete();
            }
          }
        });
  }

  /**
   * Works the deliveries of a batch that failed as a whole, each in a transaction of its own:
   * only one that fails again is recorded with its error (retried later, or failed at the
   * attempt limit). Never fails.
   */
  private Future<Void> oneAtATime(List<Delivery> failed, Throwable cause) {
    LOG.warn("inbox batch of {} failed ({}); working its deliveries one at a time", failed.size(),
        cause.getMessage());
    return InboxBatch.inOrder(failed, d -> deliveries
        .withClaimedOne(d.id(), idleSeconds, (tx, rows) -> InboxBatch.attempt(() -> batch.work(tx, rows)))
        .onSuccess(applied -> applied.committed(vertx.eventBus(), metrics))
        .<Void>mapEmpty()
        .recover(alone -> batch.recordError(d, alone)));
  }
}
