package org.stellaops.orchestrator.webhook.parsers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.stellaops.orchestrator.webhook.parsers.Fixtures.load;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.webhook.WebhookEvent.ImageDeleted;
import org.stellaops.orchestrator.webhook.WebhookEvent.ImagePushed;
import org.stellaops.orchestrator.webhook.WebhookEvent.Ignored;
import org.stellaops.orchestrator.webhook.parsers.PayloadParser.UnrecognisedPayloadException;

class GarParserTest {

  static final String REPO = "us-east1-docker.pkg.dev/my-project/my-repo/hello-world";
  static final String DIGEST = "sha256:b974ebb9a97901339d70cbd59a98baeb15228d9f39e326d41014aa938512c4e9";

  private final GarParser parser = new GarParser();

  @Test
  @DisplayName("an INSERT splits the full references into repository, tag and digest; the message id is the delivery id")
  void insertTagged() {
    JsonObject body = load("gar/insert-tagged.json");

    assertThat(parser.parse(Map.of(), body)).containsExactly(new ImagePushed(REPO, "1.1", DIGEST, null));
    assertThat(parser.deliveryId(Map.of(), body)).isEqualTo("11817219463412");
  }

  @Test
  @DisplayName("an INSERT without a tag is a push by digest")
  void insertByDigest() {
    assertThat(parser.parse(Map.of(), load("gar/insert-by-digest.json"))).containsExactly(new ImagePushed(REPO, null, DIGEST, null));
  }

  @Test
  @DisplayName("a DELETE of a tag takes the repository from the tag reference")
  void deleteTag() {
    assertThat(parser.parse(Map.of(), load("gar/delete-tag.json"))).containsExactly(new ImageDeleted(REPO, "1.1", null));
  }

  @Test
  @DisplayName("a registry host with a port is not mistaken for a tag")
  void hostWithPort() {
    JsonObject body = withData("{\"action\":\"INSERT\",\"tag\":\"localhost:5000/p/img:2.0\"}");

    assertThat(parser.parse(Map.of(), body)).containsExactly(new ImagePushed("localhost:5000/p/img", "2.0", null, null));
  }

  @Test
  @DisplayName("an unknown action is ignored")
  void unknownAction() {
    assertThat(parser.parse(Map.of(), withData("{\"action\":\"UPDATE\",\"digest\":\"" + REPO + "@" + DIGEST + "\"}")))
        .singleElement().isInstanceOf(Ignored.class);
  }

  @Test
  @DisplayName("data that is not base64 JSON, or no message at all, is unrecognised")
  void malformed() {
    assertThatThrownBy(() -> parser.parse(Map.of(), withData("not json"))).isInstanceOf(UnrecognisedPayloadException.class);
    JsonObject notBase64 = load("gar/insert-tagged.json");
    notBase64.getJsonObject("message").put("data", "%%%");
    assertThatThrownBy(() -> parser.parse(Map.of(), notBase64)).isInstanceOf(UnrecognisedPayloadException.class);
    assertThatThrownBy(() -> parser.parse(Map.of(), load("acr/push.json"))).isInstanceOf(UnrecognisedPayloadException.class);
  }

  private static JsonObject withData(String json) {
    JsonObject body = load("gar/insert-tagged.json");
    body.getJsonObject("message").put("data", Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)));
    return body;
  }
}
