package org.stellaops.orchestrator.workflow;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.stellaops.orchestrator.platform.Json;

/** A deployment environment (dev, staging, production) and the workflow a promotion into it runs. */
public record Environment(
    UUID id,
    String name,
    String displayName,
    int orderIndex,
    String url,
    int requiredApprovals,
    boolean autoPromote,
    UUID autoPromoteFrom,
    JsonArray freezeWindows,
    int deploymentTimeout,
    JsonArray workflow,
    OffsetDateTime createdAt,
    OffsetDateTime updatedAt,
    String createdBy) {

  static Environment fromRow(Row row) {
    return new Environment(
        row.getUUID("id"),
        row.getString("name"),
        row.getString("display_name"),
        row.getInteger("order_index"),
        row.getString("url"),
        row.getInteger("required_approvals"),
        row.getBoolean("auto_promote"),
        row.getUUID("auto_promote_from"),
        (JsonArray) row.getValue("freeze_windows"),
        row.getInteger("deployment_timeout"),
        (JsonArray) row.getValue("workflow"),
        row.getOffsetDateTime("created_at"),
        row.getOffsetDateTime("updated_at"),
        row.getString("created_by"));
  }

  /** As answered; {@code withVariables}: whether the caller may see pipeline variables. */
  public JsonObject toJson(boolean withVariables) {
    return new JsonObject()
        .put("id", id.toString())
        .put("name", name)
        .put("displayName", displayName)
        .put("orderIndex", orderIndex)
        .put("url", url)
        .put("requiredApprovals", requiredApprovals)
        .put("autoPromote", autoPromote)
        .put("autoPromoteFrom", autoPromoteFrom == null ? null : autoPromoteFrom.toString())
        .put("freezeWindows", freezeWindows)
        .put("deploymentTimeout", deploymentTimeout)
        .put("workflow", StepSecrets.answered(workflow, withVariables))
        .put("createdAt", Json.time(createdAt))
        .put("updatedAt", Json.time(updatedAt))
        .put("createdBy", createdBy);
  }
}
