package org.stellaops.orchestrator.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The registry harness")
class RegistryHarnessTest {

  private static final String EVENTS_V1 = "application/vnd.docker.distribution.events.v1+json";
  private static final String TOKEN = "Bearer s3cr3t";
  private static final String REPO = "demo/app";
  private static final Duration EVENT_WAIT = Duration.ofSeconds(10);

  /** One POST the registry made to the receiver. */
  private record Delivery(String contentType, String authorization, JsonObject body) {
    List<JsonObject> events() {
      return body.getJsonArray("events").stream().map(JsonObject.class::cast).toList();
    }
  }

  private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
  private HttpServer receiver;

  @BeforeEach
  void startReceiver() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext(
        "/registry/events",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          if ("POST".equals(exchange.getRequestMethod())) {
            deliveries.add(
                new Delivery(
                    exchange.getRequestHeaders().getFirst("Content-Type"),
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    new JsonObject(new String(body, StandardCharsets.UTF_8))));
          }
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.start();
  }

  @AfterEach
  void stopReceiver() {
    receiver.stop(0);
  }

  @Test
  @DisplayName("pushes a hand-written OCI image to a real registry and receives its push and delete events")
  void pushAndDeleteAreNotified() {
    String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/registry/events";
    try (RegistryHarness registry = RegistryHarness.start(url, Map.of("Authorization", TOKEN))) {
      RegistryHarness.OciImage image = registry.makeImage("v1");

      registry.push(image, REPO);

      assertThat(registry.inspectDigest(REPO, "v1")).isEqualTo(image.manifestDigest());
      Delivery push = awaitDeliveryWith("push", image.manifestDigest(), registry);
      assertThat(push.contentType()).isEqualTo(EVENTS_V1);
      assertThat(push.authorization()).isEqualTo(TOKEN);
      JsonObject target = event(push, "push", image.manifestDigest()).getJsonObject("target");
      assertThat(target.getString("tag")).isEqualTo("v1");
      assertThat(target.getString("repository")).isEqualTo(REPO);
      assertThat(target.getString("mediaType")).isEqualTo("application/vnd.oci.image.manifest.v1+json");

      registry.deleteManifest(REPO, image.manifestDigest());

      Delivery delete = awaitDeliveryWith("delete", image.manifestDigest(), registry);
      assertThat(delete.authorization()).isEqualTo(TOKEN);
      assertThat(event(delete, "delete", image.manifestDigest()).getJsonObject("target").getString("repository"))
          .isEqualTo(REPO);
    }
  }

  @Test
  @DisplayName("writes a distinct manifest digest for every image, even under the same tag")
  void imagesAreDistinct(@TempDir Path dir) throws IOException {
    RegistryHarness.OciImage first = RegistryHarness.writeImage(Files.createDirectory(dir.resolve("a")), "v1");
    RegistryHarness.OciImage second = RegistryHarness.writeImage(Files.createDirectory(dir.resolve("b")), "v1");

    assertThat(first.manifestDigest()).matches("sha256:[0-9a-f]{64}").isNotEqualTo(second.manifestDigest());
    assertThat(first.layout().resolve("blobs/sha256/" + first.manifestDigest().substring(7))).exists();
    assertThat(first.layout().resolve("oci-layout")).hasContent("{\"imageLayoutVersion\":\"1.0.0\"}");
  }

  private Delivery awaitDeliveryWith(String action, String digest, RegistryHarness registry) {
    try {
      return await(action + " event for " + digest)
          .atMost(EVENT_WAIT)
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> deliveries.stream().filter(d -> find(d, action, digest).isPresent()).findFirst(),
              Optional::isPresent)
          .orElseThrow();
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          e.getMessage() + "\nreceived: " + deliveries + "\nregistry log:\n" + registry.log(), e);
    }
  }

  private static JsonObject event(Delivery delivery, String action, String digest) {
    return find(delivery, action, digest).orElseThrow();
  }

  private static Optional<JsonObject> find(Delivery delivery, String action, String digest) {
    return delivery.events().stream()
        .filter(e -> action.equals(e.getString("action")))
        .filter(e -> digest.equals(e.getJsonObject("target", new JsonObject()).getString("digest")))
        .findFirst();
  }
}
