package org.stellaops.orchestrator.webhook.parsers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.stellaops.orchestrator.webhook.parsers.Fixtures.load;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.stellaops.orchestrator.webhook.WebhookEvent;
import org.stellaops.orchestrator.webhook.WebhookEvent.ImageDeleted;
import org.stellaops.orchestrator.webhook.WebhookEvent.ImagePushed;
import org.stellaops.orchestrator.webhook.WebhookEvent.Ignored;
import org.stellaops.orchestrator.webhook.parsers.PayloadParser.UnrecognisedPayloadException;

class DistributionParserTest {

  static final String MANIFEST = "sha256:88c7275ef3ef13f6eb8bf6a201c972557ab952d4d6ebe115ca80d40a1c9b64c3";
  static final String SCHEMA2 = "sha256:a145ae03bc93d8a956c85709cd77e6fa8577b3b8ee57f92c7c6841fff1eb20d5";
  static final String INDEX = "sha256:1bc04b5291c26a46d918139138b992d2de976d6851d0893b0476b85bfbdfc6e6";

  private final DistributionParser parser = new DistributionParser();
  private final Map<String, String> headers = Map.of("content-type", "application/vnd.docker.distribution.events.v1+json");

  @Test
  @DisplayName("a pushed OCI manifest becomes an image push under the host the client used")
  void ociManifestPush() {
    JsonObject body = load("distribution/push-oci-manifest.json");

    assertThat(parser.parse(headers, body)).containsExactly(
        new ImagePushed("127.0.0.1:5000/demo/app", "v1", MANIFEST, "application/vnd.oci.image.manifest.v1+json"));
    assertThat(parser.deliveryId(headers, body)).isEqualTo("8f2c7a64-1f0e-4f8e-9d61-3a0b1c2d4e5f");
  }

  @Test
  @DisplayName("a blob push is ignored, naming its media type")
  void blobPush() {
    List<WebhookEvent> events = parser.parse(headers, load("distribution/push-blob.json"));

    assertThat(events).singleElement().isInstanceOfSatisfying(Ignored.class,
        i -> assertThat(i.reason()).contains("application/octet-stream").contains("blob"));
  }

  @Test
  @DisplayName("the manifest pull that skopeo inspect causes is ignored although it has a manifest media type")
  void manifestPull() {
    List<WebhookEvent> events = parser.parse(headers, load("distribution/pull-skopeo-inspect.json"));

    assertThat(events).singleElement().isInstanceOfSatisfying(Ignored.class, i -> assertThat(i.reason()).startsWith("pull"));
  }

  @Test
  @DisplayName("deleting a manifest yields one delete by digest and one per tag, in envelope order")
  void deleteByDigestAndTag() {
    List<WebhookEvent> events = parser.parse(headers, load("distribution/delete-manifest-and-tags.json"));

    assertThat(events).containsExactly(
        new ImageDeleted("127.0.0.1:5000/demo/app", null, MANIFEST),
        new ImageDeleted("127.0.0.1:5000/demo/app", "v1", null),
        new ImageDeleted("127.0.0.1:5000/demo/app", "latest", null));
  }

  @Test
  @DisplayName("an envelope with a mount, a blob and a schema2 manifest yields one result per event")
  void multiEventEnvelope() {
    List<WebhookEvent> events = parser.parse(headers, load("distribution/multi-event-docker-archive.json"));

    assertThat(events).hasSize(3);
    assertThat(events.get(0)).isInstanceOfSatisfying(Ignored.class, i -> assertThat(i.reason()).startsWith("mount"));
    assertThat(events.get(1)).isInstanceOf(Ignored.class);
    assertThat(events.get(2)).isEqualTo(new ImagePushed("127.0.0.1:5000/demo/app2", "v9", SCHEMA2,
        "application/vnd.docker.distribution.manifest.v2+json"));
  }

  @Test
  @DisplayName("an envelope of several events is keyed by a hash of its sorted ids, whatever their order")
  void batchDeliveryId() {
    JsonObject body = load("distribution/multi-event-docker-archive.json");
    JsonObject reversed = body.copy();
    JsonArray events = reversed.getJsonArray("events");
    JsonArray flipped = new JsonArray();
    for (int i = events.size() - 1; i >= 0; i--) {
      flipped.add(events.getValue(i));
    }
    reversed.put("events", flipped);
    JsonObject other = body.copy();
    other.getJsonArray("events").getJsonObject(0).put("id", "another-id");

    String id = parser.deliveryId(headers, body);

    assertThat(id).matches("batch:[0-9a-f]{32}");
    assertThat(parser.deliveryId(headers, reversed)).isEqualTo(id);
    assertThat(parser.deliveryId(headers, other)).isNotEqualTo(id);
  }

  @Test
  @DisplayName("without request.host the registry host comes from target.url, and a push by digest has no tag")
  void hostFromUrl() {
    assertThat(parser.parse(headers, load("distribution/push-index-by-digest-no-host.json"))).containsExactly(
        new ImagePushed("registry.gitlab.example.com/group/project/api", null, INDEX, "application/vnd.oci.image.index.v1+json"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "application/vnd.docker.distribution.manifest.list.v2+json",
      "application/vnd.docker.distribution.manifest.v1+prettyjws",
      "application/vnd.docker.distribution.manifest.v1+json"})
  @DisplayName("Docker manifest lists and v1 signed manifests count as manifests")
  void otherManifestTypes(String mediaType) {
    JsonObject body = load("distribution/push-oci-manifest.json");
    body.getJsonArray("events").getJsonObject(0).getJsonObject("target").put("mediaType", mediaType);

    assertThat(parser.parse(headers, body)).singleElement()
        .isInstanceOfSatisfying(ImagePushed.class, p -> assertThat(p.mediaType()).isEqualTo(mediaType));
  }

  @Test
  @DisplayName("a body without events[] is not a distribution notification")
  void notDistribution() {
    JsonObject body = load("dockerhub/push.json");

    assertThatThrownBy(() -> parser.parse(headers, body)).isInstanceOf(UnrecognisedPayloadException.class)
        .hasMessageContaining("events");
    assertThat(parser.deliveryId(headers, body)).isNull();
  }
}
