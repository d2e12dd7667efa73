package org.stellaops.orchestrator.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.support.RecordingServer;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;
import org.stellaops.orchestrator.support.Webhooks;

/** Outside subscribers get signed CloudEvents, retried until they accept them. */
class EventSubscriptionTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  private static final String SECRET = "subscriber-secret-0123456789";

  @Test
  @DisplayName("a subscriber gets release.created as a signed CloudEvent, retried after a 503, logged as delivered")
  void signedCloudEvents() {
    AtomicInteger calls = new AtomicInteger();
    try (RecordingServer subscriber = new RecordingServer(r -> calls.incrementAndGet() == 1
            ? new RecordingServer.Answer(503, "{}") : new RecordingServer.Answer(200, "{}"));
        TestGateway gw = TestGateway.start()) {
      Resp created = gw.post("/api/v1/event-subscriptions", ADMIN, new JsonObject().put("url", subscriber.url() + "/hook")
          .put("events", new JsonArray().add("release.created").add("promotion.completed")).put("secret", SECRET));
      assertThat(created.status()).as(created.body()).isEqualTo(201);
      assertThat(created.body()).doesNotContain(SECRET);
      String subscription = created.data().getString("id");

      String component = gw.createComponent("evented", "registry.example.com/evented").getString("id");
      String release = gw.post("/api/v1/releases", ADMIN, new JsonObject().put("name", "evented-1").put("components",
          new JsonArray().add(new JsonObject().put("componentId", component).put("digest", "sha256:" + "e".repeat(64)))))
          .data().getString("id");

      await().atMost(Duration.ofSeconds(15)).until(() -> subscriber.requests().size() >= 2);
      RecordingServer.Request delivered = subscriber.requests().get(1);
      JsonObject event = delivered.json();
      assertThat(event.getString("specversion")).isEqualTo("1.0");
      assertThat(event.getString("type")).isEqualTo("release.created");
      assertThat(event.getJsonObject("data").getString("releaseId")).isEqualTo(release);
      assertThat(delivered.headers().getString("content-type")).startsWith("application/cloudevents+json");
      assertThat(delivered.headers().getString("x-stella-signature-256"))
          .isEqualTo(Webhooks.githubSignature(SECRET, delivered.body()));
      assertThat(subscriber.requests().get(0).json().getString("id")).isEqualTo(event.getString("id"));

      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        JsonObject log = gw.get("/api/v1/event-subscriptions/" + subscription + "/deliveries", ADMIN).json()
            .getJsonArray("data").getJsonObject(0);
        assertThat(log.getString("status")).isEqualTo("delivered");
        assertThat(log.getInteger("attempts")).isEqualTo(2);
      });
      assertThat(gw.get("/api/v1/event-subscriptions", ADMIN).body()).doesNotContain(SECRET);
    }
  }

  @Test
  @DisplayName("a burst of events reaches every subscriber of its type exactly once, and no other subscriber")
  void burstOfEvents() {
    try (RecordingServer releases = new RecordingServer(r -> new RecordingServer.Answer(200, "{}"));
        RecordingServer promotions = new RecordingServer(r -> new RecordingServer.Answer(200, "{}"));
        TestGateway gw = TestGateway.start()) {
      for (var subscriber : java.util.Map.of(releases, "release.created", promotions, "promotion.completed").entrySet()) {
        assertThat(gw.post("/api/v1/event-subscriptions", ADMIN, new JsonObject()
            .put("url", subscriber.getKey().url() + "/hook").put("events", new JsonArray().add(subscriber.getValue()))
            .put("secret", SECRET)).status()).isEqualTo(201);
      }
      String component = gw.createComponent("bursty", "registry.example.com/bursty").getString("id");

      // Created concurrently, so their release.created events reach the queue together.
      java.util.List<String> created = java.util.stream.IntStream.range(0, 40).parallel()
          .mapToObj(i -> gw.post("/api/v1/releases", ADMIN, new JsonObject().put("name", "bursty-" + i)
              .put("components", new JsonArray().add(new JsonObject().put("componentId", component)
                  .put("digest", "sha256:" + String.format("%064x", i + 1))))).data().getString("id"))
          .toList();

      await().atMost(Duration.ofSeconds(30)).until(() -> releases.requests().size() >= created.size());
      assertThat(releases.requests().stream().map(r -> r.json().getJsonObject("data").getString("releaseId")))
          .containsExactlyInAnyOrderElementsOf(created);
      assertThat(releases.requests().stream().map(r -> r.json().getString("id")).distinct()).hasSize(created.size());
      assertThat(promotions.requests()).isEmpty();
    }
  }

  @Test
  @DisplayName("unknown events, a short secret and a bad URL are listed in one 400")
  void validation() {
    try (TestGateway gw = TestGateway.start()) {
      Resp r = gw.post("/api/v1/event-subscriptions", ADMIN, new JsonObject().put("url", "ftp://x")
          .put("events", new JsonArray().add("release.exploded")).put("secret", "short"));
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.error().getJsonArray("validationErrors").stream().map(e -> ((JsonObject) e).getString("field"))
          .toList()).containsExactlyInAnyOrder("url", "events[0]", "secret");
      assertThat(gw.delete("/api/v1/event-subscriptions/00000000-0000-0000-0000-000000000000", ADMIN).status())
          .isEqualTo(404);
    }
  }
}
