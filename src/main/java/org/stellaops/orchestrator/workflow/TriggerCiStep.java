package org.stellaops.orchestrator.workflow;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.stellaops.orchestrator.ci.PipelineRun;
import org.stellaops.orchestrator.release.Release;

/**
 * The trigger-ci step: starts the configured pipeline and, with {@code waitForCompletion}, parks
 * the promotion on the run. The ref defaults to the release's sourceRef tag, then its branch,
 * then (in the trigger) the repository's default branch; STELLA_* variables are added where the
 * pipeline takes them.
 */
final class TriggerCiStep implements StepExecutor {

  private final StepServices services;

  TriggerCiStep(StepServices services) {
    this.services = services;
  }

  @Override
  public Future<StepResult> execute(ParsedStep step, StepContext context) {
    JsonObject config = step.config();
    Release release = context.release();
    String ref = config.getString("ref");
    if (ref == null && release.sourceRef() != null) {
      ref = release.sourceRef().getString("tag", release.sourceRef().getString("branch"));
    }
    boolean wait = config.getBoolean("waitForCompletion", true);
    JsonObject request = new JsonObject().put("integrationId", config.getString("integrationId"))
        .put("pipelineId", config.getString("pipelineId")).put("ref", ref)
        .put("variables", config.getJsonObject("variables", new JsonObject()))
        .put("pipelineInputs", config.getJsonObject("pipelineInputs"))
        .put("waitForCompletion", wait).put("timeout", config.getInteger("timeout", 3600))
        .put("releaseId", release.id().toString()).put("promotionId", context.promotion().id().toString())
        .put("environment", context.environment().name());
    return services.pipelineRuns().trigger(request, context.actor()).map(run -> {
      JsonObject outputs = runOutputs(run);
      return wait ? StepResult.waiting(WaitingOn.RUN.key(run.id()), outputs) : StepResult.done(outputs);
    });
  }

  /** A trigger-ci step's outputs for {@code run}. */
  static JsonObject runOutputs(PipelineRun run) {
    return new JsonObject().put("pipelineRunId", run.vendorRunId()).put("status", run.status())
        .put("webUrl", run.webUrl()).put("gatewayRunId", run.id().toString()).put("notes", run.notes().copy());
  }
}
