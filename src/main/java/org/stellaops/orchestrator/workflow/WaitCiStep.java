package org.stellaops.orchestrator.workflow;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.stellaops.orchestrator.ci.PipelineRun;
import org.stellaops.orchestrator.ci.RunStatus;
import org.stellaops.orchestrator.ci.WatchRun;
import org.stellaops.orchestrator.platform.Ids;

/**
 * The wait-ci step: watches a pipeline run, named by its config or by an input naming an
 * earlier step's output, and parks the promotion on it. {@link #ended} decides what an ended run
 * means for the step waiting on it, of this type or trigger-ci.
 */
final class WaitCiStep implements StepExecutor {

  private final StepServices services;

  WaitCiStep(StepServices services) {
    this.services = services;
  }

  @Override
  public Future<StepResult> execute(ParsedStep step, StepContext context) {
    JsonObject config = step.config();
    Object runId = config.getValue("runId");
    if (runId == null) {
      String ref = step.inputs().getString(config.getString("runIdInput"));
      runId = ref == null ? null : context.output(ref);
    }
    if (runId == null) {
      return Future.succeededFuture(StepResult.failed("Pipeline run ID not provided", null));
    }
    WatchRun command;
    try {
      command = new WatchRun(Ids.uuidOrNull(config.getString("integrationId").trim()),
          pipelineOf(context.promotion(), config), String.valueOf(runId), config.getInteger("timeout", 3600));
    } catch (RuntimeException refused) {
      // A run or pipeline id the watch refuses fails the step like a refused watch.
      return Future.failedFuture(refused);
    }
    return services.pipelineRuns().watch(command, context.actor())
        .map(run -> StepResult.waiting(WaitingOn.RUN.key(run.id()), new JsonObject()));
  }

  /** The pipeline a wait-ci step watches: its own config, else the trigger-ci step it takes its run id from. */
  private static String pipelineOf(Promotion p, JsonObject config) {
    if (config.getString("pipelineId") != null) {
      return config.getString("pipelineId");
    }
    for (Object s : p.steps()) {
      JsonObject step = (JsonObject) s;
      if (StepType.TRIGGER_CI.wire().equals(step.getString("type"))) {
        return step.getJsonObject("config").getString("pipelineId");
      }
    }
    return "unknown";
  }

  /**
   * The result of a CI step whose run ended: a failed pipeline fails the step with its message
   * and details, unless the step's {@code failOnError} is false. Pure.
   */
  static StepResult ended(ParsedStep step, PipelineRun run) {
    boolean success = RunStatus.SUCCESS.equals(run.status());
    JsonObject outputs = step.type() == StepType.WAIT_CI
        ? new JsonObject().put("status", run.status()).put("success", success).put("pipelineRun", run.toJson(false))
        : TriggerCiStep.runOutputs(run);
    if (success || !step.config().getBoolean("failOnError", true)) {
      return StepResult.done(outputs);
    }
    return new StepResult.Failed("Pipeline failed with status: " + run.status(),
        new JsonObject().put("pipelineRunId", run.vendorRunId()).put("status", run.status()), outputs,
        StepResult.Cause.STEP);
  }
}
