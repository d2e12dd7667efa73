package org.stellaops.orchestrator.integration;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.stellaops.orchestrator.platform.Change;
import org.stellaops.orchestrator.platform.Validator;

/**
 * A merge patch of an integration. {@code type} is not a change: the body may name the stored type,
 * and no other. In {@code config} and {@code credentials} each key sent is set or, sent as {@code null},
 * removed; keys not sent are kept, and a {@code null} {@code config} or {@code credentials} changes nothing.
 */
public record IntegrationPatch(Optional<IntegrationType> type, Change<String> name,
    Map<String, Change<Object>> config, Map<String, Change<String>> credentials) {

  static final String TYPE_IMMUTABLE = "cannot be changed; create a new integration";
  private static final int MAX_CREDENTIAL_LENGTH = 16 * 1024;

  /**
   * The body of {@code PATCH /api/v1/integrations/{id}}; every bad field is reported in one 400. The
   * merged config is checked against the stored integration by {@link IntegrationService#update}.
   */
  public static IntegrationPatch parse(JsonObject body) {
    Validator v = new Validator(body);
    Change<String> name = v.change("name", () -> CreateIntegration.name(v));
    Optional<IntegrationType> type = Optional.empty();
    if (body.containsKey("type")) {
      type = body.getValue("type") instanceof String wire ? IntegrationType.of(wire) : Optional.empty();
      if (type.isEmpty()) {
        v.error("type", TYPE_IMMUTABLE, "IMMUTABLE");
      }
    }
    Map<String, Change<Object>> config = new LinkedHashMap<>();
    JsonObject sent = v.optionalObject("config");
    if (sent != null) {
      sent.forEach(e -> config.put(e.getKey(), Change.sent(e.getValue())));
    }
    Map<String, Change<String>> credentials = credentials(v);
    v.throwIfInvalid();
    return new IntegrationPatch(type, name, config, credentials);
  }

  /** A {@code credentials} object: each key set to a non-empty string, or removed by {@code null}. */
  static Map<String, Change<String>> credentials(Validator v) {
    Map<String, Change<String>> changes = new LinkedHashMap<>();
    JsonObject sent = v.optionalObject("credentials");
    if (sent == null) {
      return changes;
    }
    for (String key : sent.fieldNames()) {
      Object value = sent.getValue(key);
      if (value == null) {
        changes.put(key, Change.clear());
      } else if (!(value instanceof String s) || s.isEmpty() || s.length() > MAX_CREDENTIAL_LENGTH) {
        v.error("credentials." + key, "must be a non-empty string of at most " + MAX_CREDENTIAL_LENGTH
            + " characters", "INVALID_TYPE");
      } else {
        changes.put(key, Change.to(s));
      }
    }
    return changes;
  }
}
