package org.stellaops.orchestrator.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.support.RecordingServer;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;

/**
 * Outbound calls never follow redirects, so a token, password or signature cannot be handed on
 * to a host nobody configured. A "redirector" answers every call with a 3xx pointing at a
 * "thief"; the thief must never hear from the gateway. The 3xx codes are the ones Vert.x would
 * otherwise follow for each method (303 for a POST, 302 for a GET).
 */
class NoRedirectsTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  private static final String DIGEST = "sha256:" + "f".repeat(64);
  @AutoClose
  static final RecordingServer thief = new RecordingServer(r -> new RecordingServer.Answer(200,
      "{\"username\":\"stolen\",\"id\":1,\"ok\":true}"));
  @AutoClose
  static final RecordingServer redirector = new RecordingServer(r -> new RecordingServer.Answer(
      r.method().equals("POST") ? 303 : 302, "{}", Map.of("Location", thief.url() + "/stolen" + r.path())));
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();

  private static JsonObject promoteThrough(String name, JsonObject step, String endStatus) {
    Resp env = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", name)
        .put("workflow", new JsonArray().add(step)));
    assertThat(env.status()).as(env.body()).isEqualTo(201);
    String component = gw.createComponent(name + "-app", "registry.example.com/redirect/" + name).getString("id");
    String release = gw.post("/api/v1/releases", ADMIN, new JsonObject().put("name", name + "-1.0")
        .put("components", new JsonArray().add(new JsonObject().put("componentId", component).put("digest", DIGEST))))
        .data().getString("id");
    String id = gw.post("/api/v1/promotions", ADMIN, new JsonObject().put("releaseId", release)
        .put("targetEnvironmentId", env.data().getString("id"))).data().getString("id");
    await().atMost(Duration.ofSeconds(10)).until(() -> endStatus.equals(
        gw.get("/api/v1/promotions/" + id, ADMIN).data().getString("status")));
    return gw.get("/api/v1/promotions/" + id, ADMIN).data().getJsonArray("steps").getJsonObject(0);
  }

  @Test
  @DisplayName("a deploy step answered 303 fails with that status; its headers never reach the Location")
  void deployStepTakesTheRedirectAsItsAnswer() {
    JsonObject step = promoteThrough("deploy-redirect", new JsonObject().put("id", "deploy").put("type", "deploy")
        .put("config", new JsonObject().put("url", redirector.url() + "/deploy")
            .put("headers", new JsonObject().put("Authorization", "Bearer deploy-secret"))), "failed");
    assertThat(step.getString("error")).isEqualTo("deploy target answered 303");
    assertThat(redirector.requests()).anyMatch(r -> r.path().equals("/deploy"));
    assertThat(thief.requests()).isEmpty();
  }

  @Test
  @DisplayName("an http step answered 302 takes the 302 as its answer (succeeding when it expects 302)")
  void httpStepTakesTheRedirectAsItsAnswer() {
    JsonObject step = promoteThrough("http-redirect", new JsonObject().put("id", "probe").put("type", "http")
        .put("config", new JsonObject().put("url", redirector.url() + "/probe").put("expectedStatus", 302)
            .put("headers", new JsonObject().put("X-Api-Key", "probe-secret"))), "deployed");
    assertThat(step.getJsonObject("outputs").getInteger("status")).isEqualTo(302);
    assertThat(thief.requests()).isEmpty();
  }

  @Test
  @DisplayName("a CI connector call with PRIVATE-TOKEN answered 302 is not followed: the check fails, the token stays home")
  void connectorCallsDoNotFollowRedirects() {
    String ci = gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "ci.gitlab").put("name", "moved")
        .put("config", new JsonObject().put("endpoint", redirector.url()))
        .put("credentials", new JsonObject().put("token", "glpat-secret"))).data().getString("id");
    Resp test = gw.post("/api/v1/integrations/" + ci + "/test", ADMIN, "");
    assertThat(test.status()).as(test.body()).isEqualTo(422);
    assertThat(test.error().getString("message")).contains("302");
    assertThat(redirector.requests()).anyMatch(r -> r.path().equals("/api/v4/user"));
    assertThat(thief.requests()).isEmpty();
  }

  @Test
  @DisplayName("a signed event delivery answered 303 is recorded as that answer and not re-sent to the Location")
  void eventDeliveriesDoNotFollowRedirects() {
    String subscription = gw.post("/api/v1/event-subscriptions", ADMIN, new JsonObject()
        .put("url", redirector.url() + "/events").put("events", new JsonArray().add("release.created"))
        .put("secret", "0123456789abcdef0123")).data().getString("id");
    String component = gw.createComponent("events-app", "registry.example.com/redirect/events").getString("id");
    gw.post("/api/v1/releases", ADMIN, new JsonObject().put("name", "events-1.0")
        .put("components", new JsonArray().add(new JsonObject().put("componentId", component).put("digest", DIGEST))));
    await().atMost(Duration.ofSeconds(10)).until(() -> gw.get("/api/v1/event-subscriptions/" + subscription
        + "/deliveries", ADMIN).json().getJsonArray("data").stream()
        .anyMatch(d -> Integer.valueOf(303).equals(((JsonObject) d).getInteger("lastStatus"))));
    assertThat(redirector.requests()).anyMatch(r -> r.path().equals("/events")
        && r.headers().containsKey("x-stella-signature-256"));
    assertThat(thief.requests()).isEmpty();
  }
}
