package org.stellaops.orchestrator.webhook.parsers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.stellaops.orchestrator.webhook.parsers.Fixtures.load;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.webhook.WebhookEvent.ImagePushed;
import org.stellaops.orchestrator.webhook.WebhookEvent.Ignored;
import org.stellaops.orchestrator.webhook.parsers.PayloadParser.UnrecognisedPayloadException;

class DockerHubParserTest {

  private final DockerHubParser parser = new DockerHubParser();

  @Test
  @DisplayName("a Docker Hub push names docker.io/<repo_name> and the tag, with no digest or media type")
  void push() {
    JsonObject body = load("dockerhub/push.json");

    assertThat(parser.parse(Map.of(), body)).containsExactly(
        new ImagePushed("docker.io/svendowideit/testhook", "latest", null, null));
  }

  @Test
  @DisplayName("Docker Hub sends no delivery id, so the caller hashes the body")
  void noDeliveryId() {
    assertThat(parser.deliveryId(Map.of(), load("dockerhub/push.json"))).isNull();
  }

  @Test
  @DisplayName("a push without a tag is ignored rather than reported as an image without tag or digest")
  void noTag() {
    JsonObject body = load("dockerhub/push.json");
    body.getJsonObject("push_data").put("tag", "");

    assertThat(parser.parse(Map.of(), body)).singleElement().isInstanceOf(Ignored.class);
  }

  @Test
  @DisplayName("a body without push_data and repository.repo_name is not a Docker Hub webhook")
  void notDockerHub() {
    assertThatThrownBy(() -> parser.parse(Map.of(), load("quay/repo-push.json")))
        .isInstanceOf(UnrecognisedPayloadException.class).hasMessageContaining("push_data");
  }
}
