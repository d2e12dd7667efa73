package org.stellaops.orchestrator.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.support.RecordingServer;
import org.stellaops.orchestrator.support.RecordingServer.Answer;
import org.stellaops.orchestrator.support.RecordingServer.Request;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;

/**
 * A rollback stays in its environment, and a deployment a target accepted with 202 is called
 * off at the target when its promotion is cancelled.
 */
class RollbackAndCancelTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  private static final String DEPLOY_SECRET = "Bearer deploy-target-secret-5f2a";
  private static RecordingServer target;
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();
  private static String component;

  @BeforeAll
  static void start() {
    // A deploy target: /sync deploys at once (200); /async accepts (202) and names the
    // deployment's own URL in Location, relative as RFC 9110 allows, or on another origin.
    target = new RecordingServer(r -> switch (r.method() + " " + r.path()) {
      case "POST /async" -> new Answer(202, "{}", Map.of("Location", "/deployments/" + r.json().getString("deploymentJobId")));
      case "POST /async-elsewhere" -> new Answer(202, "{}", Map.of("Location", "http://localhost:1/deployments/x"));
      default -> r.method().equals("DELETE") ? new Answer(204, "") : new Answer(200, "{}");
    });
    component = gw.createComponent("deployable", "registry.example.com/team/deployable").getString("id");
  }

  @AfterAll
  static void stop() {
    target.close();
  }

  @Test
  @DisplayName("a completed rollback does not auto-promote the older release to the environments downstream")
  void rollbackStaysInItsEnvironment() {
    String staging = environment("rb-staging", "/sync", null);
    // prod auto-promotes from staging, switched on only once both releases are in staging, so the
    // older release has never been promoted to prod when staging is rolled back to it.
    String prod = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", "rb-prod").put("orderIndex", 1)
        .put("autoPromote", false).put("autoPromoteFrom", staging).put("workflow", deploy("/sync", null)))
        .data().getString("id");
    String older = release("deployable-old", '1');
    String newer = release("deployable-new", '2');
    promoteAndWait(older, staging);
    String newerJob = promotion(promoteAndWait(newer, staging)).getString("deploymentJobId");
    assertThat(gw.patch("/api/v1/environments/" + prod, ADMIN, new JsonObject().put("autoPromote", true)).status())
        .isEqualTo(200);

    Resp rollback = gw.post("/api/v1/deployments/" + newerJob + "/rollback", ADMIN, "");
    assertThat(rollback.status()).as(rollback.body()).isEqualTo(201);
    String rollbackId = rollback.data().getString("id");
    await().atMost(Duration.ofSeconds(15)).until(() -> "deployed".equals(promotion(rollbackId).getString("status")));

    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> promotionsOf(older).stream()
        .noneMatch(p -> prod.equals(p.getString("targetEnvironmentId"))));
    // A release deployed to staging by a promotion that is not a rollback still moves on.
    String next = release("deployable-next", '3');
    promoteAndWait(next, staging);
    await().atMost(Duration.ofSeconds(15)).until(() -> promotionsOf(next).stream()
        .anyMatch(p -> prod.equals(p.getString("targetEnvironmentId")) && "deployed".equals(p.getString("status"))));
  }

  @Test
  @DisplayName("cancelling a promotion whose target answered 202 sends exactly one DELETE to its Location, "
      + "with the deploy request's headers, and records the answer")
  void cancelTellsTheTarget() {
    String env = environment("cancel-async", "/async", DEPLOY_SECRET);
    String id = startAndAwaitCallbackWait(release("deployable-cancel-1", '4'), env);
    String job = promotion(id).getString("deploymentJobId");

    Resp cancelled = gw.post("/api/v1/promotions/" + id + "/cancel", ADMIN, "");
    assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(200);
    assertThat(cancelled.data().getString("status")).isEqualTo("cancelled");

    await().atMost(Duration.ofSeconds(10)).until(() -> deployStep(id).getJsonObject("outputs").containsKey("cancel"));
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> deletes().size() == 1);
    Request delete = deletes().get(0);
    Request deploy = target.requests().stream().filter(r -> r.path().equals("/async")).toList().get(0);
    assertThat(delete.path()).isEqualTo("/deployments/" + job);
    assertThat(delete.headers().getString("authorization")).isEqualTo(DEPLOY_SECRET)
        .isEqualTo(deploy.headers().getString("authorization"));
    assertThat(deployStep(id).getJsonObject("outputs").getJsonObject("cancel").getMap()).containsEntry("notified", true)
        .containsEntry("status", 204).containsEntry("url", target.url() + "/deployments/" + job);
    assertThat(promotion(id).getString("status")).isEqualTo("cancelled");
    assertThat(gw.get("/api/v1/deployments/" + job, ADMIN).data().getString("status")).isEqualTo("cancelled");
  }

  @Test
  @DisplayName("a Location on another origin than the deploy URL never receives the deploy headers on cancel")
  void foreignLocationIsNotCalled() {
    String env = environment("cancel-elsewhere", "/async-elsewhere", DEPLOY_SECRET);
    String id = startAndAwaitCallbackWait(release("deployable-cancel-2", '5'), env);
    assertThat(deployStep(id).getJsonObject("outputs").containsKey("statusUrl")).isFalse();
    int before = target.requests().size();

    assertThat(gw.post("/api/v1/promotions/" + id + "/cancel", ADMIN, "").status()).isEqualTo(200);

    await().atMost(Duration.ofSeconds(10)).until(() -> deployStep(id).getJsonObject("outputs").containsKey("cancel"));
    JsonObject outcome = deployStep(id).getJsonObject("outputs").getJsonObject("cancel");
    assertThat(outcome.getBoolean("notified")).isFalse();
    assertThat(outcome.getString("error")).contains("no Location");
    assertThat(target.requests().size()).isEqualTo(before);
    assertThat(promotion(id).getString("status")).isEqualTo("cancelled");
  }

  @Test
  @DisplayName("a Location resolves against the deploy URL and must keep its scheme, host and port")
  void statusUrlRules() {
    String base = "https://deploy.example.com/api/deploy";
    assertThat(DeployCancellation.statusUrl(base, "/api/deployments/7")).isEqualTo("https://deploy.example.com/api/deployments/7");
    assertThat(DeployCancellation.statusUrl(base, "https://DEPLOY.example.com:443/d/7"))
        .isEqualTo("https://DEPLOY.example.com:443/d/7");
    assertThat(DeployCancellation.statusUrl(base, "http://deploy.example.com/d/7")).isNull();
    assertThat(DeployCancellation.statusUrl(base, "https://deploy.example.com:8443/d/7")).isNull();
    assertThat(DeployCancellation.statusUrl(base, "https://evil.example.net/d/7")).isNull();
    assertThat(DeployCancellation.statusUrl(base, "//evil.example.net/d/7")).isNull();
    assertThat(DeployCancellation.statusUrl(base, null)).isNull();
    assertThat(DeployCancellation.statusUrl(base, "a b")).isNull();
  }

  private static List<Request> deletes() {
    return target.requests().stream().filter(r -> r.method().equals("DELETE")).toList();
  }

  private static JsonArray deploy(String path, String authorization) {
    JsonObject config = new JsonObject().put("url", target.url() + path);
    if (authorization != null) {
      config.put("headers", new JsonObject().put("Authorization", authorization));
    }
    return new JsonArray().add(new JsonObject().put("id", "deploy").put("type", "deploy").put("config", config));
  }

  private static String environment(String name, String path, String authorization) {
    Resp r = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", name)
        .put("workflow", deploy(path, authorization)));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.data().getString("id");
  }

  private static String release(String name, char digit) {
    return gw.post("/api/v1/releases", ADMIN, new JsonObject().put("name", name).put("components", new JsonArray()
        .add(new JsonObject().put("componentId", component).put("digest", "sha256:" + String.valueOf(digit).repeat(64)))))
        .data().getString("id");
  }

  private static JsonObject promotion(String id) {
    return gw.get("/api/v1/promotions/" + id, ADMIN).data();
  }

  private static JsonObject deployStep(String id) {
    return promotion(id).getJsonArray("steps").getJsonObject(0);
  }

  private static List<JsonObject> promotionsOf(String release) {
    return gw.get("/api/v1/promotions?releaseId=" + release, ADMIN).json().getJsonArray("data").stream()
        .map(p -> (JsonObject) p).toList();
  }

  private static String startPromotion(String release, String env) {
    Resp r = gw.post("/api/v1/promotions", ADMIN, new JsonObject().put("releaseId", release)
        .put("targetEnvironmentId", env));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.data().getString("id");
  }

  private static String promoteAndWait(String release, String env) {
    String id = startPromotion(release, env);
    await().atMost(Duration.ofSeconds(15)).until(() -> "deployed".equals(promotion(id).getString("status")));
    return id;
  }

  private static String startAndAwaitCallbackWait(String release, String env) {
    String id = startPromotion(release, env);
    await().atMost(Duration.ofSeconds(15)).until(() -> String.valueOf(promotion(id).getString("waitingOn"))
        .startsWith("deploy:"));
    return id;
  }
}
