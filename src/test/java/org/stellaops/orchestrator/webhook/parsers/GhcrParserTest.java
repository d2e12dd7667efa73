package org.stellaops.orchestrator.webhook.parsers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.stellaops.orchestrator.webhook.parsers.Fixtures.headers;
import static org.stellaops.orchestrator.webhook.parsers.Fixtures.load;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.webhook.WebhookEvent.ImagePushed;
import org.stellaops.orchestrator.webhook.WebhookEvent.Ignored;
import org.stellaops.orchestrator.webhook.parsers.PayloadParser.UnrecognisedPayloadException;

class GhcrParserTest {

  static final String INDEX = "sha256:f06bcb1bf6bb199c626be852bc35fd5c6a558a3079e718f4db8bed6e250592ae";
  static final String AMD64 = "sha256:2021cbf610faca58a439d26c3d3d270f24cdd307f84685f63b824d00955d0048";

  private final GhcrParser parser = new GhcrParser();
  private final Map<String, String> packageHeaders =
      headers("x-github-event", "package", "x-github-delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958");

  @Test
  @DisplayName("a published container package is a push to ghcr.io/<owner>/<name>, lower-cased, with tag and digest")
  void published() {
    JsonObject body = load("ghcr/package-published-tagged.json");

    assertThat(parser.parse(packageHeaders, body)).containsExactly(
        new ImagePushed("ghcr.io/octo-org/payments-api", "2.3.0", INDEX, "application/vnd.oci.image.index.v1+json"));
    assertThat(parser.deliveryId(packageHeaders, body)).isEqualTo("72d3162e-cc78-11e3-81ab-4c9367dc0958");
  }

  @Test
  @DisplayName("an untagged platform manifest (tag.name \"\") is a push by digest")
  void untaggedPlatformManifest() {
    assertThat(parser.parse(packageHeaders, load("ghcr/package-published-untagged-platform.json"))).containsExactly(
        new ImagePushed("ghcr.io/octo-org/payments-api", null, AMD64, "application/vnd.oci.image.manifest.v1+json"));
  }

  @Test
  @DisplayName("the older registry_package event with package_type CONTAINER is read the same way")
  void registryPackage() {
    Map<String, String> h = headers("x-github-event", "registry_package", "x-github-delivery", "d1");

    assertThat(parser.parse(h, load("ghcr/registry-package-published.json"))).containsExactly(
        new ImagePushed("ghcr.io/octo-org/payments-api", "2.3.0", INDEX, null));
  }

  @Test
  @DisplayName("when package_version.version is not a digest the tag's digest is used")
  void digestFromTag() {
    JsonObject body = load("ghcr/package-published-tagged.json");
    body.getJsonObject("package").getJsonObject("package_version").put("version", "2.3.0");

    assertThat(parser.parse(packageHeaders, body)).singleElement()
        .isInstanceOfSatisfying(ImagePushed.class, p -> assertThat(p.digest()).isEqualTo(INDEX));
  }

  @Test
  @DisplayName("a non-container package is ignored")
  void npm() {
    assertThat(parser.parse(packageHeaders, load("ghcr/package-published-npm.json"))).singleElement()
        .isInstanceOfSatisfying(Ignored.class, i -> assertThat(i.reason()).contains("npm"));
  }

  @Test
  @DisplayName("actions other than published and updated are ignored; updated is a push")
  void actions() {
    JsonObject updated = load("ghcr/package-published-tagged.json").put("action", "updated");

    assertThat(parser.parse(packageHeaders, updated)).singleElement().isInstanceOf(ImagePushed.class);
    assertThat(parser.parse(packageHeaders, updated.copy().put("action", "deleted"))).singleElement().isInstanceOf(Ignored.class);
  }

  @Test
  @DisplayName("ping and other GitHub events are ignored")
  void pingAndOthers() {
    assertThat(parser.parse(headers("x-github-event", "ping"), load("github/ping.json"))).singleElement()
        .isInstanceOfSatisfying(Ignored.class, i -> assertThat(i.reason()).contains("ping").contains("4567812"));
    assertThat(parser.parse(headers("x-github-event", "workflow_run"), load("github/workflow-run-requested.json")))
        .singleElement().isInstanceOf(Ignored.class);
  }

  @Test
  @DisplayName("without X-GitHub-Event the body's package key identifies the event; anything else is unrecognised")
  void noHeader() {
    assertThat(parser.parse(Map.of(), load("ghcr/package-published-tagged.json"))).singleElement().isInstanceOf(ImagePushed.class);
    assertThat(parser.deliveryId(Map.of(), load("ghcr/package-published-tagged.json"))).isNull();
    assertThatThrownBy(() -> parser.parse(Map.of(), load("quay/repo-push.json"))).isInstanceOf(UnrecognisedPayloadException.class);
  }
}
