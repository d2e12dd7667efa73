package org.stellaops.orchestrator.workflow;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stellaops.orchestrator.platform.Events;
import org.stellaops.orchestrator.platform.GroupCommit;
import org.stellaops.orchestrator.reporting.EventSubscriptions;
import org.stellaops.orchestrator.reporting.StatusReports;

/**
 * Wakes promotions: {@code ci.run.completed} resumes those waiting on the run, and on start
 * every promotion left between steps by a restart is moved on. Also drives the status-report
 * and event-subscriber outboxes, unless {@code sendOutboxes} is off. Holds no per-promotion
 * state: everything is in PostgreSQL.
 */
public final class WorkflowVerticle extends VerticleBase {

  private final PromotionEngine engine;
  private final StatusReports reports;
  private final EventSubscriptions subscriptions;
  private final boolean sendOutboxes;
  private boolean delivering;
  private MessageConsumer<JsonObject> runs;
  private MessageConsumer<JsonObject> releases;
  private MessageConsumer<JsonObject> completed;
  private long timer;
  private long recovery;
  private boolean recovering;
  static final long RECOVERY_MILLIS = 5_000;
  private static final int BATCH = 500;
  private static final Logger LOG = LoggerFactory.getLogger(WorkflowVerticle.class);
  private boolean sending;

  public WorkflowVerticle(PromotionEngine engine, StatusReports reports, EventSubscriptions subscriptions,
      boolean sendOutboxes) {
    this.engine = engine;
    this.reports = reports;
    this.subscriptions = subscriptions;
    this.sendOutboxes = sendOutboxes;
  }

  @Override
  public Future<?> start() {
    // Runs end in bursts (a poll batch ends hundreds at once): the lookups of the promotions
    // waiting on them are batched into one statement. The GroupCommit is confined to this
    // verticle's event loop, like the consumer feeding it.
    GroupCommit<String, List<UUID>> runLookups = new GroupCommit<>(BATCH, engine::waitingOnRuns);
    runs = vertx.eventBus().consumer(Events.CI_RUN_COMPLETED, msg -> {
      String runId = msg.body().getString("pipelineRunId");
      runLookups.submit(runId).compose(ids -> engine.resumeWaiting(runId, ids))
          .onFailure(e -> LOG.warn("resuming promotions waiting on run {} failed: {}", runId, e.getMessage()));
    });
    // Cluster peers are not authenticated on the event bus: a message only names what changed,
    // and each handler re-reads it from PostgreSQL before acting (the run and the promotions
    // waiting on it; the release; the completed promotion's status, release and environment).
    releases = vertx.eventBus().consumer(Events.RELEASE_CREATED, msg -> engine.onReleaseCreated(
        msg.body().getString("releaseId")).onFailure(e -> LOG.warn("auto-promotion of a new release failed: {}",
            e.getMessage())));
    completed = vertx.eventBus().consumer(Events.PROMOTION_COMPLETED, msg -> engine.onPromotionCompleted(
        msg.body().getString("promotionId")).onFailure(e -> LOG.warn("auto-promotion after promotion {} failed: {}",
            msg.body().getString("promotionId"), e.getMessage())));
    // Sweeps for promotions whose wake-up was lost: a replica that ended a run (or a step) and
    // died before publishing; and for steps left running by a replica that died mid-step (failed
    // once their timeout has passed: PromotionEngine.stranded). Idempotent: each move is a
    // versioned, conditional transition.
    recovery = vertx.setPeriodic(RECOVERY_MILLIS, id -> {
      if (!recovering) {
        recovering = true;
        engine.recover().onComplete(done -> recovering = false);
      }
    });
    timer = vertx.setPeriodic(500, id -> {
      if (sendOutboxes && !sending) {
        sending = true;
        reports.sendDue().onComplete(done -> sending = false);
      }
      if (sendOutboxes && !delivering) {
        delivering = true;
        subscriptions.deliverDue().onComplete(done -> delivering = false);
      }
    });
    return Future.all(runs.completion(), releases.completion(), completed.completion())
        .onSuccess(v -> engine.sealStoredHeaders()
            .onSuccess(sealed -> {
              if (sealed > 0) {
                LOG.info("sealed the plaintext step header values of {} environments and promotions", sealed);
              }
            })
            .onFailure(e -> LOG.warn("sealing plaintext step header values failed (retried at the next start): {}",
                e.getMessage()))
            .onComplete(done -> engine.recover()));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    vertx.cancelTimer(recovery);
    return Future.all(runs.unregister(), releases.unregister(), completed.unregister());
  }
}
