package org.stellaops.orchestrator.integration;

import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** An integration with its credentials decrypted, for the connectors and webhook checks only. Never serialised. */
public record ResolvedIntegration(UUID id, IntegrationType type, String name, JsonObject config, JsonObject credentials) {

  public String credential(String key) {
    return credentials.getString(key);
  }

  @Override
  public String toString() {
    return "ResolvedIntegration[" + type.wire() + " " + name + " " + id + "]";
  }
}
