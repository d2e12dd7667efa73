package org.stellaops.orchestrator.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;
import org.stellaops.orchestrator.support.Webhooks;

/**
 * Tag patterns are users' regular expressions applied to tags that anyone with a registry
 * webhook secret can choose. java.util.regex backtracks through {@code (.*a){20}b} in time
 * growing like n^20: 28 a's take it about 4 seconds, the 100 a's below longer than anyone will
 * wait; RE2/J answers in milliseconds. The time bounds below are generous for CI noise and
 * still far below what backtracking would take.
 */
class TagPatternTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  private static final String EVIL = "(.*a){20}b";
  private static final String LONG_TAG = "a".repeat(100);
  private static final String SECRET = "registry-secret-for-patterns";
  private static final String HOST = "127.0.0.1:5000";
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();

  @Test
  @DisplayName("a catastrophic-backtracking versioning tag pattern is matched in linear time when a tag is recorded")
  void versioningPatternIsLinear() {
    String component = gw.post("/api/v1/components", ADMIN, new JsonObject().put("name", "evil-versioning")
        .put("imageRepository", "registry.example.com/evil/versioning")
        .put("versioningStrategy", new JsonObject().put("type", "semver").put("tagPattern", EVIL)))
        .data().getString("id");

    long started = System.nanoTime();
    Resp recorded = gw.post("/api/v1/components/" + component + "/versions", ADMIN,
        new JsonObject().put("tag", LONG_TAG).put("digest", "sha256:" + "a".repeat(64)));
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(recorded.status()).isEqualTo(201);
    assertThat(recorded.data().getString("semver")).as("the pattern does not match, so no version").isNull();
    assertThat(took).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  @DisplayName("a catastrophic-backtracking auto-release tag pattern applied to a pushed tag does not stall the inbox")
  void autoReleasePatternIsLinear() {
    String registry = Webhooks.integration(gw, "registry.distribution", "pattern-registry", SECRET,
        Webhooks.registryHosts(HOST));
    String component = gw.post("/api/v1/components", ADMIN, new JsonObject().put("name", "evil-auto")
        .put("imageRepository", HOST + "/evil/auto")
        .put("autoRelease", new JsonObject().put("enabled", true).put("tagPattern", EVIL)))
        .data().getString("id");

    Resp pushed = Webhooks.send(gw, "/api/v1/webhooks/registry/" + registry,
        Webhooks.distributionPush("evt-evil", HOST, "evil/auto", LONG_TAG, "sha256:" + "b".repeat(64)),
        Map.of("Content-Type", "application/vnd.docker.distribution.events.v1+json", "Authorization", "Bearer " + SECRET));
    assertThat(pushed.status()).isEqualTo(202);

    String delivery = pushed.data().getString("deliveryId");
    await().atMost(Duration.ofSeconds(10)).until(() -> "processed".equals(
        gw.get("/api/v1/webhook-deliveries/" + delivery, ADMIN).data().getString("status")));
    JsonArray versions = gw.get("/api/v1/components/" + component + "/versions?tag=" + LONG_TAG, ADMIN)
        .json().getJsonArray("data");
    assertThat(versions).hasSize(1);
    assertThat(gw.get("/api/v1/releases?componentId=" + component, ADMIN).json().getJsonArray("data"))
        .as("the pattern does not match, so no release").isEmpty();
  }

  @Test
  @DisplayName("a pattern RE2 cannot run in linear time (backreference, lookahead) is refused with 400 naming the field and RE2's reason")
  void nonRe2PatternsAreRefused() {
    Resp backreference = gw.post("/api/v1/components", ADMIN, new JsonObject().put("name", "backref")
        .put("imageRepository", "registry.example.com/evil/backref")
        .put("versioningStrategy", new JsonObject().put("type", "semver").put("tagPattern", "(a)\\1")));
    Resp lookahead = gw.post("/api/v1/components", ADMIN, new JsonObject().put("name", "lookahead")
        .put("imageRepository", "registry.example.com/evil/lookahead")
        .put("autoRelease", new JsonObject().put("enabled", true).put("tagPattern", "^v(?=\\d)")));

    assertThat(backreference.status()).isEqualTo(400);
    JsonObject first = backreference.error().getJsonArray("validationErrors").getJsonObject(0);
    assertThat(first.getString("field")).isEqualTo("versioningStrategy.tagPattern");
    assertThat(first.getString("message")).contains("RE2").contains("escape");
    assertThat(lookahead.status()).isEqualTo(400);
    JsonObject second = lookahead.error().getJsonArray("validationErrors").getJsonObject(0);
    assertThat(second.getString("field")).isEqualTo("autoRelease.tagPattern");
    assertThat(second.getString("message")).contains("RE2");
  }
}
