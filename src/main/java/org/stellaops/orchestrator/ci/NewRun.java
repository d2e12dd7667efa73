package org.stellaops.orchestrator.ci;

import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** A run to record: which pipeline, what was asked, what the CI system answered, how to wait, what for. */
public record NewRun(NewRun.Pipeline pipeline, NewRun.Request request, VendorRun vendor, NewRun.Schedule schedule,
    TriggerRun.Context context) {

  /** An integration's pipeline; {@code integrationType} is the integration type's wire name. */
  public record Pipeline(UUID integrationId, String integrationType, String pipelineId) {}

  /** The request as sent ({@code ref} null for a watched run) and who made it. */
  public record Request(String ref, JsonObject variables, String correlationId, String createdBy) {}

  /** Whether and how the run is waited for; {@code origin} is {@code triggered} or {@code watched}. */
  public record Schedule(boolean waitForCompletion, String origin, int pollIntervalSeconds, int timeoutSeconds,
      int firstPollInSeconds) {}
}
