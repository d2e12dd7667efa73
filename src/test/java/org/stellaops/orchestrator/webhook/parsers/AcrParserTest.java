package org.stellaops.orchestrator.webhook.parsers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.stellaops.orchestrator.webhook.parsers.Fixtures.load;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.stellaops.orchestrator.webhook.WebhookEvent.ImageDeleted;
import org.stellaops.orchestrator.webhook.WebhookEvent.ImagePushed;
import org.stellaops.orchestrator.webhook.WebhookEvent.Ignored;
import org.stellaops.orchestrator.webhook.parsers.PayloadParser.UnrecognisedPayloadException;

class AcrParserTest {

  static final String DIGEST = "sha256:6f3095ea2b3eeae3895d2f0bedabc7b8928f5317e4e9ec611e4214e0090d773c";

  private final AcrParser parser = new AcrParser();

  @Test
  @DisplayName("an ACR push names the login server from request.host, the tag, digest and media type")
  void push() {
    JsonObject body = load("acr/push.json");

    assertThat(parser.parse(Map.of(), body)).containsExactly(new ImagePushed("myregistry.azurecr.io/hello-world", "v1", DIGEST,
        "application/vnd.docker.distribution.manifest.v2+json"));
    assertThat(parser.deliveryId(Map.of(), body)).isEqualTo("cb8c3971-9adc-488b-bdd8-43cbb4974ff5");
  }

  @Test
  @DisplayName("an ACR manifest delete becomes an image delete by digest")
  void delete() {
    assertThat(parser.parse(Map.of(), load("acr/delete.json"))).containsExactly(
        new ImageDeleted("myregistry.azurecr.io/hello-world", null, DIGEST));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"acr/chart-push.json, chart_push", "acr/ping.json, ping"})
  @DisplayName("Helm chart events and pings are ignored")
  void ignored(String fixture, String action) {
    assertThat(parser.parse(Map.of(), load(fixture))).singleElement()
        .isInstanceOfSatisfying(Ignored.class, i -> assertThat(i.reason()).contains(action));
  }

  @Test
  @DisplayName("chart_delete and quarantine are ignored too")
  void otherActions() {
    assertThat(parser.parse(Map.of(), load("acr/chart-push.json").put("action", "chart_delete"))).singleElement().isInstanceOf(Ignored.class);
    assertThat(parser.parse(Map.of(), load("acr/push.json").put("action", "quarantine"))).singleElement().isInstanceOf(Ignored.class);
  }

  @Test
  @DisplayName("a body without an action is not an ACR event")
  void notAcr() {
    assertThatThrownBy(() -> parser.parse(Map.of(), load("quay/repo-push.json"))).isInstanceOf(UnrecognisedPayloadException.class);
  }
}
