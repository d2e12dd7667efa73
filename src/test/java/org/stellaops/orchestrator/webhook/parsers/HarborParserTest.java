package org.stellaops.orchestrator.webhook.parsers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.stellaops.orchestrator.webhook.parsers.Fixtures.load;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.stellaops.orchestrator.webhook.WebhookEvent.ImageDeleted;
import org.stellaops.orchestrator.webhook.WebhookEvent.ImagePushed;
import org.stellaops.orchestrator.webhook.WebhookEvent.Ignored;
import org.stellaops.orchestrator.webhook.parsers.PayloadParser.UnrecognisedPayloadException;

class HarborParserTest {

  static final String DIGEST = "sha256:580256275c46cd372d0189a94cce48be68d6c54d5d71bd5aee035c3574697acb";

  private final HarborParser parser = new HarborParser();

  @Test
  @DisplayName("PUSH_ARTIFACT takes the repository from resource_url without its tag")
  void push() {
    JsonObject body = load("harbor/push-artifact.json");

    assertThat(parser.parse(Map.of(), body)).containsExactly(
        new ImagePushed("harbor.example.com/library/app", "v1.4.2", DIGEST, null));
    assertThat(parser.deliveryId(Map.of(), body)).isNull();
  }

  @Test
  @DisplayName("an untagged push, where Harbor repeats the digest as the tag, is a push by digest and keeps the host's port")
  void untaggedPush() {
    assertThat(parser.parse(Map.of(), load("harbor/push-artifact-untagged.json"))).containsExactly(
        new ImagePushed("harbor.example.com:8443/library/app", null, DIGEST, null));
  }

  @Test
  @DisplayName("without resource_url the repository falls back to repo_full_name")
  void fallbackToFullName() {
    JsonObject body = load("harbor/push-artifact.json");
    body.getJsonObject("event_data").getJsonArray("resources").getJsonObject(0).remove("resource_url");

    assertThat(parser.parse(Map.of(), body)).containsExactly(new ImagePushed("library/app", "v1.4.2", DIGEST, null));
  }

  @Test
  @DisplayName("DELETE_ARTIFACT becomes an image delete with tag and digest")
  void delete() {
    assertThat(parser.parse(Map.of(), load("harbor/delete-artifact.json"))).containsExactly(
        new ImageDeleted("harbor.example.com/library/app", "v1.4.2", DIGEST));
  }

  @ParameterizedTest
  @ValueSource(strings = {"harbor/pull-artifact.json", "harbor/scanning-completed.json", "harbor/cloudevents-pulled.json"})
  @DisplayName("pulls and scan results are ignored with the event type in the reason")
  void ignored(String fixture) {
    JsonObject body = load(fixture);
    String type = body.getString("type");

    assertThat(parser.parse(Map.of(), body)).singleElement()
        .isInstanceOfSatisfying(Ignored.class, i -> assertThat(i.reason()).contains(type));
  }

  @ParameterizedTest
  @ValueSource(strings = {"QUOTA_EXCEED", "QUOTA_WARNING", "REPLICATION", "TAG_RETENTION", "SCANNING_FAILED", "SCANNING_STOPPED"})
  @DisplayName("quota, replication, retention and scanning events are ignored")
  void otherTypes(String type) {
    JsonObject body = load("harbor/push-artifact.json").put("type", type);

    assertThat(parser.parse(Map.of(), body)).singleElement().isInstanceOf(Ignored.class);
  }

  @Test
  @DisplayName("the CloudEvents format reads data{} and uses the CloudEvent id as delivery id")
  void cloudEvents() {
    JsonObject body = load("harbor/cloudevents-pushed.json");

    assertThat(parser.parse(Map.of(), body)).containsExactly(
        new ImagePushed("harbor.example.com/library/app", "v1.4.2", DIGEST, null));
    assertThat(parser.deliveryId(Map.of(), body)).isEqualTo("4b2f89a6-548d-4c12-9993-a1f5790b97d2");
  }

  @Test
  @DisplayName("a body without a type is not a Harbor webhook")
  void notHarbor() {
    assertThatThrownBy(() -> parser.parse(Map.of(), load("dockerhub/push.json")))
        .isInstanceOf(UnrecognisedPayloadException.class);
  }
}
