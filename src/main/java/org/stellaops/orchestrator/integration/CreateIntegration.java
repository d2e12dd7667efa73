package org.stellaops.orchestrator.integration;

import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.regex.Pattern;
import org.stellaops.orchestrator.egress.EgressPolicy;
import org.stellaops.orchestrator.platform.Change;
import org.stellaops.orchestrator.platform.Validator;

/** Create an integration of {@code type}: its name, config, and credentials (string values, stored sealed). */
public record CreateIntegration(IntegrationType type, String name, JsonObject config, JsonObject credentials) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}");

  /**
   * The body of {@code POST /api/v1/integrations}; every bad field is reported in one 400, a config URL the
   * egress policy denies among them.
   */
  public static CreateIntegration parse(JsonObject body, EgressPolicy egress) {
    Validator v = new Validator(body);
    String typeName = v.requiredString("type", 64);
    IntegrationType type = null;
    if (typeName != null) {
      type = IntegrationType.of(typeName).orElse(null);
      if (type == null) {
        v.error("type", "must be one of " + IntegrationType.wireNames(), "INVALID_VALUE");
      }
    }
    String name = name(v);
    JsonObject config = Optional.ofNullable(v.optionalObject("config")).orElse(new JsonObject());
    JsonObject credentials = Change.merge(new JsonObject(), IntegrationPatch.credentials(v));
    IntegrationService.checkConfig(v, config, egress);
    RegistryHosts.check(v, type, config);
    v.throwIfInvalid();
    return new CreateIntegration(type, name, config, credentials);
  }

  /** The required {@code name}, as create and update check it. */
  static String name(Validator v) {
    return v.matching("name", v.requiredString("name", 100), NAME, "1-100 letters, digits, spaces, '.', '_' or '-'");
  }
}
