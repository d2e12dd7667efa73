package org.stellaops.orchestrator.webhook.parsers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.stellaops.orchestrator.webhook.parsers.Fixtures.load;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.webhook.WebhookEvent.ImagePushed;
import org.stellaops.orchestrator.webhook.WebhookEvent.Ignored;
import org.stellaops.orchestrator.webhook.parsers.PayloadParser.UnrecognisedPayloadException;

class QuayParserTest {

  private final QuayParser parser = new QuayParser();

  @Test
  @DisplayName("a repo_push yields one push per updated tag under docker_url, without digests")
  void repoPush() {
    JsonObject body = load("quay/repo-push.json");

    assertThat(parser.parse(Map.of(), body)).containsExactly(
        new ImagePushed("quay.io/mynamespace/repository", "latest", null, null),
        new ImagePushed("quay.io/mynamespace/repository", "v2.0.1", null, null));
    assertThat(parser.deliveryId(Map.of(), body)).isNull();
  }

  @Test
  @DisplayName("a repo_push that updated no tags is ignored")
  void noTags() {
    JsonObject body = load("quay/repo-push.json").put("updated_tags", new JsonArray());

    assertThat(parser.parse(Map.of(), body)).singleElement().isInstanceOf(Ignored.class);
  }

  @Test
  @DisplayName("a build notification sent to the same webhook is ignored as not a push")
  void buildNotification() {
    assertThat(parser.parse(Map.of(), load("quay/build-success.json"))).singleElement()
        .isInstanceOfSatisfying(Ignored.class, i -> assertThat(i.reason()).contains("build"));
  }

  @Test
  @DisplayName("a body without docker_url is not a Quay notification")
  void notQuay() {
    assertThatThrownBy(() -> parser.parse(Map.of(), load("dockerhub/push.json"))).isInstanceOf(UnrecognisedPayloadException.class);
  }
}
