package org.stellaops.orchestrator.ci;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.stellaops.orchestrator.platform.Json;

/** One CI run the gateway triggered or watches; the wait for it is this row. */
public record PipelineRun(
    UUID id,
    UUID integrationId,
    String integrationType,
    String pipelineId,
    String ref,
    JsonObject variables,
    String vendorRunId,
    String correlationId,
    String webUrl,
    String status,
    String vendorStatus,
    boolean waitForCompletion,
    String origin,
    int pollIntervalSeconds,
    OffsetDateTime deadlineAt,
    OffsetDateTime nextPollAt,
    int polls,
    int consecutiveErrors,
    String lastError,
    String etag,
    OffsetDateTime createdAt,
    OffsetDateTime completedAt,
    String completedBy,
    JsonArray notes) {

  public PipelineRun {
    notes = notes == null ? new JsonArray() : notes;
  }

  /** A run whose trigger left nothing out. */
  public PipelineRun(UUID id, UUID integrationId, String integrationType, String pipelineId, String ref,
      JsonObject variables, String vendorRunId, String correlationId, String webUrl, String status,
      String vendorStatus, boolean waitForCompletion, String origin, int pollIntervalSeconds,
      OffsetDateTime deadlineAt, OffsetDateTime nextPollAt, int polls, int consecutiveErrors, String lastError,
      String etag, OffsetDateTime createdAt, OffsetDateTime completedAt, String completedBy) {
    this(id, integrationId, integrationType, pipelineId, ref, variables, vendorRunId, correlationId, webUrl, status,
        vendorStatus, waitForCompletion, origin, pollIntervalSeconds, deadlineAt, nextPollAt, polls,
        consecutiveErrors, lastError, etag, createdAt, completedAt, completedBy, new JsonArray());
  }

  static PipelineRun fromRow(Row row) {
    return new PipelineRun(
        row.getUUID("id"),
        row.getUUID("integration_id"),
        row.getString("integration_type"),
        row.getString("pipeline_id"),
        row.getString("ref"),
        (JsonObject) row.getValue("variables"),
        row.getString("vendor_run_id"),
        row.getString("correlation_id"),
        row.getString("web_url"),
        row.getString("status"),
        row.getString("vendor_status"),
        row.getBoolean("wait_for_completion"),
        row.getString("origin"),
        row.getInteger("poll_interval_seconds"),
        row.getOffsetDateTime("deadline_at"),
        // While a run is active its live schedule is in pipeline_wait (V9), when the query joined it.
        row.getColumnIndex("wait_next_poll_at") >= 0 && row.getValue("wait_next_poll_at") != null
            ? row.getOffsetDateTime("wait_next_poll_at") : row.getOffsetDateTime("next_poll_at"),
        row.getColumnIndex("wait_polls") >= 0 && row.getValue("wait_polls") != null
            ? row.getInteger("wait_polls") : row.getInteger("polls"),
        row.getInteger("consecutive_errors"),
        row.getString("last_error"),
        row.getString("etag"),
        row.getOffsetDateTime("created_at"),
        row.getOffsetDateTime("completed_at"),
        row.getString("completed_by"),
        row.getColumnIndex("notes") >= 0 ? (JsonArray) row.getValue("notes") : new JsonArray());
  }

  public boolean active() {
    return RunStatus.ACTIVE.contains(status);
  }

  public CiConnector.RunRef runRef() {
    return new CiConnector.RunRef(pipelineId, ref, vendorRunId, correlationId, createdAt.toInstant());
  }

  /** The trigger-ci step's outputs ({@code pipelineRunId, status, webUrl}) and the wait's state. */
  public JsonObject toJson() {
    return toJson(true);
  }

  /**
   * As {@link #toJson()}; without {@code variables} when {@code withVariables} is false. Variables
   * are passed to the CI system as they are and often carry deployment inputs, so only callers
   * who may change integrations see them.
   */
  public JsonObject toJson(boolean withVariables) {
    JsonObject json = new JsonObject()
        .put("id", id.toString())
        .put("pipelineRunId", vendorRunId)
        .put("integrationId", integrationId.toString())
        .put("integrationType", integrationType)
        .put("pipelineId", pipelineId)
        .put("ref", ref)
        .put("variables", variables)
        .put("status", status)
        .put("vendorStatus", vendorStatus)
        .put("webUrl", webUrl)
        .put("waitForCompletion", waitForCompletion)
        .put("origin", origin)
        .put("deadlineAt", Json.time(deadlineAt))
        .put("nextPollAt", active() ? Json.time(nextPollAt) : null)
        .put("polls", polls)
        .put("lastError", lastError)
        .put("createdAt", Json.time(createdAt))
        .put("completedAt", Json.time(completedAt))
        .put("completedBy", completedBy)
        .put("notes", notes);
    if (!withVariables) {
      json.remove("variables");
    }
    return json;
  }
}
