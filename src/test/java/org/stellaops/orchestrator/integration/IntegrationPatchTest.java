package org.stellaops.orchestrator.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.platform.ApiException;
import org.stellaops.orchestrator.platform.Change;
import org.stellaops.orchestrator.platform.ValidationError;

/** An integration merge patch as the route parses it, merged into a stored config and credentials. */
class IntegrationPatchTest {

  static final JsonObject CONFIG = new JsonObject().put("endpoint", "https://gitlab.example.com")
      .put("pollIntervalSeconds", 30).put("projectPath", "shop/api");
  static final JsonObject CREDENTIALS = new JsonObject().put("token", "t-1").put("webhookSecret", "s-1");

  @Test
  @DisplayName("in config, a key not sent is kept, null removes one and a value sets one")
  void configMerge() {
    IntegrationPatch patch = IntegrationPatch.parse(new JsonObject().put("config", new JsonObject()
        .putNull("projectPath").put("pollIntervalSeconds", 60).put("maxConcurrentPolls", 2)));
    assertThat(Change.merge(CONFIG, patch.config())).isEqualTo(new JsonObject()
        .put("endpoint", "https://gitlab.example.com").put("pollIntervalSeconds", 60).put("maxConcurrentPolls", 2));
    assertThat(CONFIG.getString("projectPath")).as("the stored config is not modified").isEqualTo("shop/api");
    assertThat(patch.name()).isEqualTo(Change.keep());
  }

  @Test
  @DisplayName("in credentials, a key not sent is kept, null removes one, and a null credentials object changes nothing")
  void credentialsMerge() {
    IntegrationPatch patch = IntegrationPatch.parse(new JsonObject().put("credentials", new JsonObject()
        .put("token", "t-2").putNull("webhookSecret").put("password", "p-1")));
    assertThat(Change.merge(CREDENTIALS, patch.credentials()))
        .isEqualTo(new JsonObject().put("token", "t-2").put("password", "p-1"));
    IntegrationPatch none = IntegrationPatch.parse(new JsonObject().putNull("credentials").putNull("config"));
    assertThat(Change.merge(CREDENTIALS, none.credentials())).isEqualTo(CREDENTIALS);
    assertThat(Change.merge(CONFIG, none.config())).isEqualTo(CONFIG);
  }

  @Test
  @DisplayName("a name sent as null, an empty credential and a type no integration has are one 400 naming each")
  void badFields() {
    ApiException e = catchThrowableOfType(ApiException.class, () -> IntegrationPatch.parse(new JsonObject()
        .putNull("name").put("type", "ci.nope").put("credentials", new JsonObject().put("token", ""))));
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.validationErrors()).extracting(ValidationError::field, ValidationError::code)
        .containsExactly(tuple("name", "REQUIRED"),
            tuple("type", "IMMUTABLE"),
            tuple("credentials.token", "INVALID_TYPE"));
  }
}
