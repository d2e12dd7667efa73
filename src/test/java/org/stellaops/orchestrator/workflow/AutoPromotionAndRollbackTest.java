package org.stellaops.orchestrator.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.support.RecordingServer;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;

/** Releases that promote themselves along the environment chain, and rolling a deployment back. */
class AutoPromotionAndRollbackTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  private static RecordingServer target;
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();
  private static String component;

  @BeforeAll
  static void start() {
    target = new RecordingServer(r -> new RecordingServer.Answer(200, "{}"));
    component = gw.createComponent("svc", "registry.example.com/svc").getString("id");
  }

  @AfterAll
  static void stop() {
    target.close();
  }

  private static JsonArray deployTo(String path) {
    return new JsonArray().add(new JsonObject().put("id", "deploy").put("type", "deploy")
        .put("config", new JsonObject().put("url", target.url() + path)));
  }

  private static String release(String name, char digit) {
    return gw.post("/api/v1/releases", ADMIN, new JsonObject().put("name", name).put("components", new JsonArray()
        .add(new JsonObject().put("componentId", component).put("digest", "sha256:" + String.valueOf(digit).repeat(64)))))
        .data().getString("id");
  }

  private static List<JsonObject> promotionsOf(String release) {
    return gw.get("/api/v1/promotions?releaseId=" + release, ADMIN).json().getJsonArray("data").stream()
        .map(p -> (JsonObject) p).toList();
  }

  @Test
  @DisplayName("a new release promotes itself to dev, and once deployed there to qa, exactly once each")
  void autoPromotion() {
    String dev = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", "auto-dev").put("autoPromote", true)
        .put("workflow", deployTo("/auto-dev"))).data().getString("id");
    gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", "auto-qa").put("autoPromote", true)
        .put("autoPromoteFrom", dev).put("orderIndex", 1).put("workflow", deployTo("/auto-qa")));
    String release = release("svc-auto-1", '1');
    await().atMost(Duration.ofSeconds(15)).until(() -> promotionsOf(release).size() == 2
        && promotionsOf(release).stream().allMatch(p -> "deployed".equals(p.getString("status"))));
    assertThat(promotionsOf(release)).allMatch(p -> "auto-promotion".equals(p.getString("requestedBy")));
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> promotionsOf(release).size() == 2);
    assertThat(target.requests().stream().map(RecordingServer.Request::path).filter(p -> p.startsWith("/auto-")).toList())
        .containsExactly("/auto-dev", "/auto-qa");
    gw.patch("/api/v1/environments/" + dev, ADMIN, new JsonObject().put("autoPromote", false));
  }

  @Test
  @DisplayName("rolling back a deployment redeploys the environment's previous successful release")
  void rollback() {
    String env = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", "rb-prod")
        .put("workflow", deployTo("/rb"))).data().getString("id");
    String first = release("svc-rb-1", '2');
    String second = release("svc-rb-2", '3');
    String firstJob = promoteAndWait(first, env);
    String secondJob = promoteAndWait(second, env);

    assertThat(gw.post("/api/v1/deployments/" + firstJob + "/rollback", ADMIN, "").status()).isEqualTo(422);
    Resp rollback = gw.post("/api/v1/deployments/" + secondJob + "/rollback", ADMIN, "");
    assertThat(rollback.status()).as(rollback.body()).isEqualTo(201);
    assertThat(rollback.data().getString("releaseId")).isEqualTo(first);
    String id = rollback.data().getString("id");
    await().atMost(Duration.ofSeconds(15)).until(() -> "deployed".equals(
        gw.get("/api/v1/promotions/" + id, ADMIN).data().getString("status")));
    List<RecordingServer.Request> deploys = target.requests().stream().filter(r -> r.path().equals("/rb")).toList();
    assertThat(deploys).hasSize(3);
    assertThat(deploys.get(2).json().getJsonArray("components").getJsonObject(0).getString("digest"))
        .isEqualTo("sha256:" + "2".repeat(64));
    assertThat(gw.get("/api/v1/deployments/" + secondJob, ADMIN).data().getString("status")).isEqualTo("rolled_back");
  }

  @Test
  @DisplayName("promoting into an environment during one of its freeze windows is refused with 422")
  void freezeWindow() {
    String env = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", "frozen")
        .put("freezeWindows", new JsonArray().add(new JsonObject().put("start", "2020-01-01T00:00:00Z")
            .put("end", "2999-01-01T00:00:00Z").put("reason", "change freeze")))).data().getString("id");
    Resp r = gw.post("/api/v1/promotions", ADMIN, new JsonObject().put("releaseId", release("svc-frozen", '4'))
        .put("targetEnvironmentId", env));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.error().getString("code")).isEqualTo("FREEZE_WINDOW");
    assertThat(r.error().getString("message")).contains("change freeze");
  }

  private static String promoteAndWait(String release, String env) {
    String id = gw.post("/api/v1/promotions", ADMIN, new JsonObject().put("releaseId", release)
        .put("targetEnvironmentId", env)).data().getString("id");
    await().atMost(Duration.ofSeconds(15)).until(() -> "deployed".equals(
        gw.get("/api/v1/promotions/" + id, ADMIN).data().getString("status")));
    return gw.get("/api/v1/promotions/" + id, ADMIN).data().getString("deploymentJobId");
  }
}
