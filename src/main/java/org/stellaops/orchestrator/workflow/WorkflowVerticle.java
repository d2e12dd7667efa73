package org.stellaops.orchestrator.workflow;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.stellaops.orchestrator.platform.Events;
import org.stellaops.orchestrator.reporting.StatusReports;

/**
 * Wakes promotions: {@code ci.run.completed} resumes those waiting on the run, and on start
 * every promotion left between steps by a restart is moved on. Also drives the status-report
 * outbox. Holds no per-promotion state: everything is in PostgreSQL.
 */
public final class WorkflowVerticle extends VerticleBase {

  private final PromotionEngine engine;
  private final StatusReports reports;
  private MessageConsumer<JsonObject> runs;
  private long timer;
  private boolean sending;

  public WorkflowVerticle(PromotionEngine engine, StatusReports reports) {
    this.engine = engine;
    this.reports = reports;
  }

  @Override
  public Future<?> start() {
    runs = vertx.eventBus().consumer(Events.CI_RUN_COMPLETED,
        msg -> engine.runCompleted(msg.body().getString("pipelineRunId")));
    timer = vertx.setPeriodic(500, id -> {
      if (!sending) {
        sending = true;
        reports.sendDue().onComplete(done -> sending = false);
      }
    });
    return runs.completion().onSuccess(v -> engine.recover());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return runs.unregister();
  }
}
