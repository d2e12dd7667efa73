package org.stellaops.orchestrator.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.platform.Events;
import org.stellaops.orchestrator.support.RecordingServer;
import org.stellaops.orchestrator.support.TestDatabases;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;

/**
 * Who may move a promotion on: approvals follow the four-eyes rule, a deploy callback needs the
 * token its own deploy request carried, and event-bus messages are checked against PostgreSQL.
 */
class PromotionTrustTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  // A deploy target that accepts the deployment and reports back later (202), as a GitOps
  // controller or a deploy job does.
  @AutoClose
  static final RecordingServer target = new RecordingServer(r -> new RecordingServer.Answer(202, "{}"));
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();
  private static String component;
  private static String requester;
  private static String approverA;
  private static String approverB;
  private static int releases;

  @BeforeAll
  static void start() {
    component = gw.createComponent("trusted", "registry.example.com/trusted").getString("id");
    requester = operator("requester");
    approverA = operator("approver-a");
    approverB = operator("approver-b");
  }

  private static String operator(String name) {
    return gw.createServiceAccount(new JsonObject().put("name", name).put("roles", new JsonArray().add("operator")))
        .getString("token");
  }

  private static String release() {
    int n = ++releases;
    return gw.post("/api/v1/releases", ADMIN, new JsonObject().put("name", "trusted-" + n).put("components",
        new JsonArray().add(new JsonObject().put("componentId", component)
            .put("digest", "sha256:" + String.format("%064x", n))))).data().getString("id");
  }

  private static String environment(JsonObject body) {
    Resp r = gw.post("/api/v1/environments", ADMIN, body);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.data().getString("id");
  }

  private static String promote(String token, String release, String env) {
    Resp r = gw.post("/api/v1/promotions", token, new JsonObject().put("releaseId", release)
        .put("targetEnvironmentId", env));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.data().getString("id");
  }

  private static JsonObject promotion(String id) {
    return gw.get("/api/v1/promotions/" + id, ADMIN).data();
  }

  private static Resp approve(String id, String token) {
    return gw.post("/api/v1/promotions/" + id + "/approve", token, "");
  }

  private static Resp callback(String job, Map<String, String> headers, String body) {
    HttpRequest.Builder b = gw.request("/api/v1/deployments/" + job + "/callback", null)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    return gw.send(b.build());
  }

  private static final String SUCCESS = "{\"status\":\"success\",\"message\":\"rolled out\"}";

  @Test
  @DisplayName("the requester cannot approve their own promotion (403 SELF_APPROVAL), and two approvals need two others")
  void fourEyes() {
    String env = environment(new JsonObject().put("name", "four-eyes").put("requiredApprovals", 2)
        .put("workflow", new JsonArray().add(new JsonObject().put("id", "ok").put("type", "approval"))));
    String id = promote(requester, release(), env);
    await().atMost(Duration.ofSeconds(10)).until(() -> "awaiting_approval".equals(promotion(id).getString("status")));

    Resp own = approve(id, requester);
    assertThat(own.status()).as(own.body()).isEqualTo(403);
    assertThat(own.error().getString("code")).isEqualTo("SELF_APPROVAL");
    assertThat(own.error().getString("message")).contains("service-account:requester", "cannot approve");

    assertThat(approve(id, approverA).status()).isEqualTo(200);
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
        .until(() -> "awaiting_approval".equals(promotion(id).getString("status")));
    assertThat(approve(id, approverB).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> "deployed".equals(promotion(id).getString("status")));
    assertThat(promotion(id).getJsonArray("steps").getJsonObject(0).getJsonObject("outputs").getJsonArray("approvers"))
        .containsExactly("service-account:approver-a", "service-account:approver-b");
  }

  @Test
  @DisplayName("the admin token that requested a promotion cannot approve it either; the requester may still reject it")
  void adminRequesterCannotApprove() {
    String env = environment(new JsonObject().put("name", "admin-eyes").put("requiredApprovals", 1)
        .put("workflow", new JsonArray().add(new JsonObject().put("id", "ok").put("type", "approval"))));
    String id = promote(ADMIN, release(), env);
    await().atMost(Duration.ofSeconds(10)).until(() -> "awaiting_approval".equals(promotion(id).getString("status")));
    Resp own = approve(id, ADMIN);
    assertThat(own.status()).as(own.body()).isEqualTo(403);
    assertThat(own.error().getString("code")).isEqualTo("SELF_APPROVAL");
    assertThat(promotion(id).getString("status")).isEqualTo("awaiting_approval");
    assertThat(gw.post("/api/v1/promotions/" + id + "/reject", ADMIN, "").status()).isEqualTo(200);
    assertThat(promotion(id).getString("status")).isEqualTo("rejected");
  }

  @Test
  @DisplayName("an approval the requester recorded before the four-eyes rule does not count towards requiredApprovals")
  void earlierSelfApprovalDoesNotCount() throws Exception {
    String env = environment(new JsonObject().put("name", "legacy-eyes").put("requiredApprovals", 1)
        .put("workflow", new JsonArray().add(new JsonObject().put("id", "ok").put("type", "approval"))));
    String id = promote(requester, release(), env);
    await().atMost(Duration.ofSeconds(10)).until(() -> "awaiting_approval".equals(promotion(id).getString("status")));
    String requesterId = TestDatabases.query(gw.dbUrl(), "SELECT requested_by_id FROM promotion WHERE id = '" + id
        + "'").get(0);
    assertThat(requesterId).startsWith("service-account:").doesNotContain("requester");
    TestDatabases.execute(gw.dbUrl(), "INSERT INTO promotion_approval (promotion_id, approver, approver_id, decision) "
        + "VALUES ('" + id + "', 'service-account:requester', '" + requesterId + "', 'approved')");
    assertThat(approve(id, approverA).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> "deployed".equals(promotion(id).getString("status")));
    assertThat(promotion(id).getJsonArray("steps").getJsonObject(0).getJsonObject("outputs").getJsonArray("approvers"))
        .containsExactly("service-account:approver-a");
  }

  /** Starts a promotion whose deploy step waits for its callback; returns {promotion id, job id, token}. */
  private static String[] waitingDeploy(String env) {
    String id = promote(ADMIN, release(), env);
    await().atMost(Duration.ofSeconds(10)).until(() -> promotion(id).getString("waitingOn") != null);
    String job = promotion(id).getString("deploymentJobId");
    JsonObject sent = target.requests().stream().map(RecordingServer.Request::json)
        .filter(b -> job.equals(b.getString("deploymentJobId"))).findFirst().orElseThrow();
    return new String[] {id, job, sent.getJsonObject("callback").getString("token")};
  }

  private static String deployEnvironment(String name) {
    return environment(new JsonObject().put("name", name).put("workflow", new JsonArray()
        .add(new JsonObject().put("id", "deploy").put("type", "deploy")
            .put("config", new JsonObject().put("url", target.url() + "/" + name)))));
  }

  @Test
  @DisplayName("a deploy callback needs its own job's token: none, a wrong one, another job's or a bearer token are 401")
  void callbackNeedsTheJobsToken() throws Exception {
    String env = deployEnvironment("callbacks");
    String[] mine = waitingDeploy(env);
    String[] other = waitingDeploy(env);
    String job = mine[1];
    String token = mine[2];
    JsonObject request = target.requests().stream().map(RecordingServer.Request::json)
        .filter(b -> job.equals(b.getString("deploymentJobId"))).findFirst().orElseThrow();
    assertThat(request.getJsonObject("callback").getString("url"))
        .isEqualTo("http://localhost:8080/api/v1/deployments/" + job + "/callback");
    assertThat(token).startsWith("stella_cb_").hasSizeGreaterThan(40).isNotEqualTo(other[2]);

    String operatorToken = operator("deployer");
    List<Map<String, String>> refused = List.of(
        Map.of(),
        Map.of("Authorization", "Bearer stella_cb_" + "x".repeat(43)),
        Map.of("X-Stella-Callback-Token", token.substring(0, token.length() - 1) + (token.endsWith("A") ? "B" : "A")),
        Map.of("Authorization", "Bearer " + other[2]),
        Map.of("Authorization", "Bearer " + ADMIN),
        Map.of("Authorization", "Bearer " + operatorToken));
    for (Map<String, String> headers : refused) {
      Resp r = callback(job, headers, SUCCESS);
      assertThat(r.status()).as(headers + " " + r.body()).isEqualTo(401);
      assertThat(r.json().getBoolean("success")).isFalse();
      assertThat(r.error().getString("code")).isEqualTo("UNAUTHORIZED");
    }
    // A body is read only once the token is accepted: no validation hints to a stranger.
    assertThat(callback(job, Map.of(), "{\"status\":\"nonsense\"}").status()).isEqualTo(401);
    assertThat(promotion(mine[0]).getString("waitingOn")).isEqualTo("deploy:" + job);
    assertThat(gw.get("/api/v1/deployments/" + job, ADMIN).data().getString("status")).isEqualTo("running");

    // Only its hash is stored, and no answer shows the token.
    String hash = TestDatabases.query(gw.dbUrl(), "SELECT encode(callback_token_hash, 'hex') FROM deployment_job "
        + "WHERE id = '" + job + "'").get(0);
    assertThat(hash).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(token.getBytes(StandardCharsets.UTF_8))));
    assertThat(TestDatabases.query(gw.dbUrl(), "SELECT count(*) FROM promotion p JOIN deployment_job j "
        + "ON j.id = p.deployment_job_id WHERE p::text LIKE '%" + token + "%' OR j::text LIKE '%" + token + "%'"))
        .containsExactly("0");
    assertThat(gw.get("/api/v1/deployments/" + job, ADMIN).body()).doesNotContain(token);
    assertThat(gw.get("/api/v1/deployments", ADMIN).body()).doesNotContain(token);
    assertThat(gw.get("/api/v1/promotions/" + mine[0], ADMIN).body()).doesNotContain(token);

    Resp bad = callback(job, Map.of("Authorization", "Bearer " + token), "{\"status\":\"nonsense\"}");
    assertThat(bad.status()).isEqualTo(400);
    Resp accepted = callback(job, Map.of("Authorization", "Bearer " + token), SUCCESS);
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(10)).until(() -> "deployed".equals(promotion(mine[0]).getString("status")));
    assertThat(gw.get("/api/v1/deployments/" + job, ADMIN).data().getString("status")).isEqualTo("succeeded");
    assertThat(TestDatabases.query(gw.dbUrl(), "SELECT callback_token_hash IS NULL FROM deployment_job WHERE id = '"
        + job + "'")).containsExactly("t");
    // Used once: repeating it is refused, and the other job still waits for its own token.
    assertThat(callback(job, Map.of("Authorization", "Bearer " + token), SUCCESS).status()).isEqualTo(401);
    assertThat(promotion(other[0]).getString("waitingOn")).isEqualTo("deploy:" + other[1]);

    Resp failed = callback(other[1], Map.of("X-Stella-Callback-Token", other[2]),
        "{\"status\":\"failed\",\"message\":\"image pull backoff\"}");
    assertThat(failed.status()).as(failed.body()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(10)).until(() -> "failed".equals(promotion(other[0]).getString("status")));
    assertThat(promotion(other[0]).getString("error")).isEqualTo("deployment failed: image pull backoff");
  }

  @Test
  @DisplayName("a forged promotion.completed saying 'deployed' for a promotion that is not deployed promotes nothing")
  void forgedCompletionIsCheckedAgainstTheDatabase() {
    String dev = environment(new JsonObject().put("name", "bus-dev").put("requiredApprovals", 1)
        .put("workflow", new JsonArray().add(new JsonObject().put("id", "ok").put("type", "approval"))));
    environment(new JsonObject().put("name", "bus-qa").put("autoPromote", true).put("autoPromoteFrom", dev)
        .put("workflow", new JsonArray().add(new JsonObject().put("id", "ok").put("type", "approval"))));
    String release = release();
    String id = promote(requester, release, dev);
    await().atMost(Duration.ofSeconds(10)).until(() -> "awaiting_approval".equals(promotion(id).getString("status")));
    JsonObject forged = new JsonObject().put("promotionId", id).put("releaseId", release).put("environmentId", dev)
        .put("status", "deployed");
    gw.app().vertx().eventBus().publish(Events.PROMOTION_COMPLETED, forged);
    gw.app().vertx().eventBus().publish(Events.PROMOTION_COMPLETED, forged.copy()
        .put("promotionId", "5b0f9d2e-8a7c-4c1e-9d7a-3f2b1c0e9a8d"));
    gw.app().vertx().eventBus().publish(Events.RELEASE_CREATED, new JsonObject()
        .put("releaseId", "5b0f9d2e-8a7c-4c1e-9d7a-3f2b1c0e9a8d"));
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> promotionsOf(release) == 1);

    // The real completion, read back from the database, does promote.
    assertThat(approve(id, approverA).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> promotionsOf(release) == 2);
  }

  private static int promotionsOf(String release) {
    return gw.get("/api/v1/promotions?releaseId=" + release, ADMIN).json().getJsonArray("data").size();
  }
}
