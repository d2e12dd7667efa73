package org.stellaops.orchestrator.workflow;

import io.vertx.core.json.JsonObject;

/**
 * One step of a promotion as stored in its {@code steps}: {@code type} is null for a type name
 * this gateway does not know ({@code typeName} keeps it), {@code status} for a status it does
 * not write. {@code json} is the stored step itself, for what reads it whole (its sealed headers).
 */
record ParsedStep(String id, String typeName, StepType type, StepStatus status, JsonObject config,
    JsonObject inputs, JsonObject outputs, String startedAt, JsonObject json) {

  static ParsedStep of(JsonObject step) {
    return new ParsedStep(step.getString("id"), step.getString("type"), StepType.of(step.getString("type")),
        StepStatus.of(step.getString("status")), step.getJsonObject("config", new JsonObject()),
        step.getJsonObject("inputs", new JsonObject()), step.getJsonObject("outputs", new JsonObject()),
        step.getString("startedAt"), step);
  }
}
