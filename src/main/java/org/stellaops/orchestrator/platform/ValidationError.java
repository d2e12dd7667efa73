package org.stellaops.orchestrator.platform;

import io.vertx.core.json.JsonObject;

/** One bad field: where ({@code components[0].digest}), what is wrong, and a stable code. */
public record ValidationError(String field, String message, String code) {

  public JsonObject toJson() {
    return new JsonObject().put("field", field).put("message", message).put("code", code);
  }
}
