package org.stellaops.orchestrator.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.platform.AppConfig;
import org.stellaops.orchestrator.support.TestDatabases;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;

/** Idempotency-Key answers are kept for 24 hours, then removed (at start and every hour). */
class IdempotencyExpiryTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;

  private static Resp create(TestGateway gw, String key, String name, String component) {
    String body = new JsonObject().put("name", name).put("components", new JsonArray().add(new JsonObject()
        .put("componentId", component).put("digest", "sha256:" + "e".repeat(64)))).encode();
    return gw.send(gw.request("/api/v1/releases", ADMIN).header("Content-Type", "application/json")
        .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  @Test
  @DisplayName("a key older than 24 hours is removed when a gateway starts; a younger one still replays its answer")
  void oldKeysArePurged() throws Exception {
    String dbUrl = TestDatabases.freshDatabase();
    AppConfig config = TestGateway.baseConfig().withDbUrl(dbUrl).withAdminToken(ADMIN);
    String component;
    String young;
    try (TestGateway first = TestGateway.start(config, dbUrl)) {
      component = first.createComponent("idem-app", "registry.example.com/idem-app").getString("id");
      assertThat(create(first, "build-old", "idem-old", component).status()).isEqualTo(201);
      Resp made = create(first, "build-young", "idem-young", component);
      assertThat(made.status()).isEqualTo(201);
      young = made.data().getString("id");
    }
    TestDatabases.execute(dbUrl, "UPDATE idempotency_key SET created_at = now() - interval '25 hours' "
        + "WHERE key = 'build-old'");
    TestDatabases.execute(dbUrl, "UPDATE idempotency_key SET created_at = now() - interval '23 hours' "
        + "WHERE key = 'build-young'");
    try (TestGateway second = TestGateway.start(config, dbUrl)) {
      await().atMost(Duration.ofSeconds(10)).until(() ->
          TestDatabases.query(dbUrl, "SELECT key FROM idempotency_key ORDER BY key").equals(java.util.List.of("build-young")));
      Resp replayed = create(second, "build-young", "idem-young", component);
      assertThat(replayed.status()).isEqualTo(201);
      assertThat(replayed.header("Idempotent-Replayed")).isEqualTo("true");
      assertThat(replayed.data().getString("id")).isEqualTo(young);
      // The old key is forgotten: the same request is a new create, and the name is taken.
      Resp again = create(second, "build-old", "idem-old", component);
      assertThat(again.status()).isEqualTo(409);
      assertThat(again.header("Idempotent-Replayed")).isNull();
    }
  }
}
