package org.stellaops.orchestrator.workflow;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.stellaops.orchestrator.ci.PipelineRun;
import org.stellaops.orchestrator.ci.TriggerRun;
import org.stellaops.orchestrator.platform.Ids;
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
    TriggerRun command;
    try {
      command = new TriggerRun(new TriggerRun.Target(Ids.uuidOrNull(config.getString("integrationId").trim()),
              config.getString("pipelineId"), ref),
          new TriggerRun.Inputs(config.getJsonObject("variables", new JsonObject()), config.getJsonObject("pipelineInputs")),
          wait, config.getInteger("timeout", 3600),
          new TriggerRun.Context(release.id(), context.promotion().id(), context.environment().name()));
    } catch (RuntimeException refused) {
      // A command the trigger refuses fails the step like a refused trigger.
      return Future.failedFuture(refused);
    }
    return services.pipelineRuns().trigger(command, context.actor()).map(run -> {
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
