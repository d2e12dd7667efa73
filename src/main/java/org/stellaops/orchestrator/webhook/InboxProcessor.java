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
 * one and four times a second, it takes a batch of up to {@link #BATCH} deliveries at a time from
 * the inbox's log ({@link InboxLog}) and works it in one transaction: the deliveries' events are
 * carried out (the version-map writes of the whole batch as one multi-row upsert,
 * {@link VersionWrites}), the outcomes that are not the normal one recorded with one statement,
 * the subscriber events of the batch ({@code registry.image.pushed}, {@code ci.build.completed})
 * queued by one statement ({@link EventOutbox}), and the log's positions moved past the batch, all
 * committed together. So a delivery's effects, its subscriber events and its outcome commit
 * together (exactly once), a processor killed mid-batch moved no position, and replicas share the
 * work a partition at a time. Per delivery of a busy registry that is no write at all after its
 * insert: the batch writes the positions, not the rows.
 *
 * <p>A delivery whose event fails (a registry lookup, say) is recorded with its error and tried
 * again after a backoff ({@link Backoff#DELIVERIES}), failed at the attempt limit; the rest of its
 * batch goes on. A batch that fails as a whole (a statement PostgreSQL refuses) is rolled back and
 * its deliveries worked one at a time, in order, so one bad row holds up no other. One batch at a
 * time per process.
 *
 * <p>This class is the loop (when a batch runs, the fallback, stopping); what a batch does is {@link InboxBatch}.
 */
public final class InboxProcessor extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(InboxProcessor.class);
  public static final int BATCH = 512;
  /**
   * How long the processor waits after a batch that took less than it could, so the next one
   * gathers more: a batch's statements and commit cost about as much as its deliveries when it
   * holds only the few rows one ingest commit stored.
   */
  static final long GATHER_MS = 100;

  private final InboxLog log;
  private final WebhookMetrics metrics;
  private final int idleSeconds;
  private final InboxBatch batch;
  private boolean busy;
  private boolean checked;
  private boolean again;
  private boolean stopping;
  private io.vertx.core.Promise<Void> drained;
  private long timer;
  private long gatherTimer = -1;
  private MessageConsumer<Object> wake;

  /**
   * @param idleSeconds how long a batch's transaction may wait on this processor (a registry
   *     lookup, a stalled process) before PostgreSQL ends it and frees its rows for another
   */
  public InboxProcessor(DeliveryRepository deliveries, InboxLog log, VersionRepository versions,
      IntegrationService integrations, EventApplier applier, WebhookMetrics metrics, int idleSeconds,
      EventOutbox outbox) {
    this.log = log;
    this.idleSeconds = idleSeconds;
    this.metrics = metrics;
    this.batch = new InboxBatch(deliveries, log, versions, integrations, applier, metrics, idleSeconds, outbox);
  }

  @Override
  public Future<?> start() {
    wake = vertx.eventBus().localConsumer(WebhookRoutes.WAKE_PROCESSOR, msg -> kick());
    // Often, because a commit's wake-up can find its rows still behind the oldest running
    // transaction (InboxLog); the lag once a second.
    long[] ticks = {0};
    timer = vertx.setPeriodic(250, id -> {
      kick();
      if (ticks[0]++ % 4 == 0) {
        log.lagSeconds().onSuccess(metrics::inboxLag);
      }
    });
    kick();
    return wake.completion();
  }

  /** Stops taking new batches and waits for the one in progress, so it never meets a closed pool. */
  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(timer);
    if (gatherTimer >= 0 && vertx.cancelTimer(gatherTimer)) {
      gatherTimer = -1;
      busy = false;
    }
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
    if (checked) {
      runBatch();
    } else {
      checkLog();
    }
  }

  /**
   * Before the first batch: the log must be consistent with this database's transaction counter
   * ({@link InboxLog#rebaseIfRestored}). Tried again on the next tick when it cannot be checked.
   */
  private void checkLog() {
    log.rebaseIfRestored().onComplete(rebased -> {
      if (rebased.failed()) {
        LOG.error("cannot check the inbox log against the database's transaction counter: {}",
            rebased.cause().getMessage());
      } else {
        checked = true;
        if (rebased.result()) {
          LOG.warn("the inbox log held transaction ids this database has not handed out yet (restored from a "
              + "logical dump?): every logged delivery was taken out of the log with its status, and those "
              + "still waiting were put on the retry path");
        }
      }
      busy = false;
      if (drained != null) {
        drained.tryComplete();
      } else if (checked) {
        kick();
      }
    });
  }

  private void runBatch() {
    List<InboxLog.Entry> claimed = new ArrayList<>();
    InboxLog.Claim[] seen = {InboxLog.Claim.NONE};
    log.withNextBatch(BATCH, idleSeconds, (tx, claim) -> {
          claimed.addAll(claim.entries());
          seen[0] = claim;
          return InboxBatch.attempt(() -> batch.work(tx, claim));
        })
        .map(applied -> {
          applied.committed(vertx.eventBus(), metrics);
          return next(seen[0].full(), seen[0].found(), again);
        })
        .recover(e -> claimed.isEmpty() ? Future.failedFuture(e) : oneAtATime(claimed, e).map(Next.NOW))
        .onComplete(result -> {
          if (result.failed()) {
            LOG.warn("inbox batch failed: {}", result.cause().getMessage());
          }
          Next next = stopping || result.failed() ? Next.IDLE : result.result();
          again = false;
          if (next == Next.NOW) {
            runBatch();
          } else if (next == Next.SOON) {
            gatherTimer = vertx.setTimer(GATHER_MS, id -> {
              gatherTimer = -1;
              runBatch();
            });
          } else {
            busy = false;
            if (drained != null) {
              drained.tryComplete();
            }
          }
        });
  }

  /** When the next batch runs: at once, after {@link #GATHER_MS}, or when woken. */
  enum Next { NOW, SOON, IDLE }

  /**
   * After a full batch at once (there is more); after one that found less, soon, so the next
   * gathers more; after one that found nothing, when woken, or soon if a wake-up came while it ran
   * (its rows may be readable by then; not at once, or a transaction holding the log back would
   * have every commit's wake-up run an empty batch). Pure.
   */
  static Next next(boolean full, boolean found, boolean wokenMeanwhile) {
    if (full) {
      return Next.NOW;
    }
    return found || wokenMeanwhile ? Next.SOON : Next.IDLE;
  }

  /**
   * Works the deliveries of a batch that failed as a whole, each in a transaction of its own and
   * in log order: only one that fails again is recorded with its error (retried later, or failed
   * at the attempt limit). Never fails.
   */
  private Future<Void> oneAtATime(List<InboxLog.Entry> failed, Throwable cause) {
    LOG.warn("inbox batch of {} failed ({}); working its deliveries one at a time", failed.size(),
        cause.getMessage());
    return InboxBatch.inOrder(failed, e -> log
        .withOne(e, idleSeconds, (tx, claim) -> InboxBatch.attempt(() -> batch.work(tx, claim)))
        .onSuccess(applied -> applied.committed(vertx.eventBus(), metrics))
        .<Void>mapEmpty()
        .recover(alone -> batch.recordError(e, alone)));
  }
}
