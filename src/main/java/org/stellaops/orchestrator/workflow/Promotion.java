package org.stellaops.orchestrator.workflow;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.Set;
import java.util.UUID;
import org.stellaops.orchestrator.platform.Json;

/**
 * A release on its way into an environment. {@code steps} is the environment's workflow as it
 * was when the promotion started, each step carrying {@code status} (pending, running, waiting,
 * succeeded, failed, skipped), {@code outputs}, {@code error} and {@code details}.
 * {@code requestedById} is the requester's stable principal id (see {@link FourEyes}), null for
 * rows written before it was kept. {@code trigger} says what started it: {@code manual} (the API),
 * {@code auto} (automatic promotion) or {@code rollback}.
 */
public record Promotion(
    UUID id,
    UUID releaseId,
    UUID targetEnvironmentId,
    String status,
    JsonArray steps,
    int currentStep,
    String waitingOn,
    int requiredApprovals,
    UUID deploymentJobId,
    int version,
    String requestedBy,
    String reason,
    String error,
    OffsetDateTime createdAt,
    OffsetDateTime completedAt,
    String requestedById,
    String trigger) {

  public static final Set<String> TERMINAL = Set.of("deployed", "rejected", "cancelled", "failed", "rolled_back");

  static Promotion fromRow(Row row) {
    return new Promotion(
        row.getUUID("id"),
        row.getUUID("release_id"),
        row.getUUID("target_environment_id"),
        row.getString("status"),
        (JsonArray) row.getValue("steps"),
        row.getInteger("current_step"),
        row.getString("waiting_on"),
        row.getInteger("required_approvals"),
        row.getUUID("deployment_job_id"),
        row.getInteger("version"),
        row.getString("requested_by"),
        row.getString("reason"),
        row.getString("error"),
        row.getOffsetDateTime("created_at"),
        row.getOffsetDateTime("completed_at"),
        row.getString("requested_by_id"),
        row.getString("trigger"));
  }

  public boolean terminal() {
    return TERMINAL.contains(status);
  }

  /** The step being run or waited on, or null once past the last. */
  public JsonObject current() {
    return currentStep < steps.size() ? steps.getJsonObject(currentStep) : null;
  }

  /** The ids every promotion and deployment event carries. */
  public JsonObject eventIds() {
    return new JsonObject().put("promotionId", id.toString()).put("releaseId", releaseId.toString())
        .put("environmentId", targetEnvironmentId.toString())
        .put("deploymentJobId", deploymentJobId.toString());
  }

  /** As answered; {@code withVariables}: whether the caller may see pipeline variables. */
  public JsonObject toJson(boolean withVariables) {
    return new JsonObject()
        .put("id", id.toString())
        .put("releaseId", releaseId.toString())
        .put("targetEnvironmentId", targetEnvironmentId.toString())
        .put("status", status)
        .put("steps", StepSecrets.answered(steps, withVariables))
        .put("currentStep", currentStep)
        .put("waitingOn", waitingOn)
        .put("requiredApprovals", requiredApprovals)
        .put("deploymentJobId", deploymentJobId == null ? null : deploymentJobId.toString())
        .put("requestedBy", requestedBy)
        .put("reason", reason)
        .put("error", error)
        .put("createdAt", Json.time(createdAt))
        .put("completedAt", Json.time(completedAt));
  }
}
