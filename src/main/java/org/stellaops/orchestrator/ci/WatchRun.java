package org.stellaops.orchestrator.ci;

import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.stellaops.orchestrator.platform.Validator;

/** Watch a run CI started itself: the integration, its pipeline, the CI system's run id, how long to wait. */
public record WatchRun(UUID integrationId, String pipelineId, String runId, int timeoutSeconds) {

  /**
   * The pipeline id and run id get the checks of {@link #parse} (trimmed, not blank, at most 500 and
   * 200 characters, no control characters) whoever builds the watch: a workflow's wait-ci config is
   * not checked for them when the workflow is saved. A failure is the 400 {@link #parse} would give.
   */
  public WatchRun {
    Validator v = new Validator(new JsonObject().put("pipelineId", pipelineId).put("runId", runId));
    pipelineId = v.requiredString("pipelineId", 500);
    runId = v.requiredString("runId", 200);
    v.throwIfInvalid();
  }

  /** The body of {@code POST /api/v1/pipeline-runs/watch}; every bad field is reported in one 400. */
  public static WatchRun parse(JsonObject body) {
    Validator v = new Validator(body);
    UUID integrationId = TriggerRun.requiredUuid(v, "integrationId");
    String pipelineId = v.requiredString("pipelineId", 500);
    String runId = body.getValue("runId") instanceof Number n ? String.valueOf(n) : v.requiredString("runId", 200);
    if (runId != null && runId.length() > 200) {
      // A number's digits count as its characters, as for a string id.
      v.error("runId", "must be at most 200 characters", "TOO_LONG");
    }
    int timeout = TriggerRun.timeout(v);
    v.throwIfInvalid();
    return new WatchRun(integrationId, pipelineId, runId, timeout);
  }
}
