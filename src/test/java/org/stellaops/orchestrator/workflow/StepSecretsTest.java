package org.stellaops.orchestrator.workflow;

import org.stellaops.orchestrator.platform.CappedBody;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.platform.AppConfig;
import org.stellaops.orchestrator.support.RecordingServer;
import org.stellaops.orchestrator.support.TestDatabases;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;

/** Header values of deploy and http steps are write-only, and http steps keep little of what they get back. */
class StepSecretsTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  private static final String DEPLOY_SECRET = "Bearer deploy-secret-7f3a9c";
  private static final String HOOK_SECRET = "hook-secret-51d2e8";

  private static JsonArray workflow(RecordingServer target, String deploySecret, String hookSecret) {
    return new JsonArray()
        .add(new JsonObject().put("id", "smoke").put("type", "http").put("config", new JsonObject()
            .put("url", target.url() + "/smoke").put("headers", new JsonObject().put("X-Api-Key", hookSecret))))
        .add(new JsonObject().put("id", "deploy").put("type", "deploy").put("config", new JsonObject()
            .put("url", target.url() + "/deploy").put("headers", new JsonObject().put("Authorization", deploySecret))));
  }

  private static String release(TestGateway gw, String name) {
    String component = gw.createComponent(name, "registry.example.com/" + name).getString("id");
    return gw.post("/api/v1/releases", ADMIN, new JsonObject().put("name", name + "-1").put("components",
        new JsonArray().add(new JsonObject().put("componentId", component).put("digest", "sha256:" + "c".repeat(64)))))
        .data().getString("id");
  }

  private static JsonObject promoteAndWait(TestGateway gw, String release, String env) {
    String id = gw.post("/api/v1/promotions", ADMIN, new JsonObject().put("releaseId", release)
        .put("targetEnvironmentId", env)).data().getString("id");
    await().atMost(Duration.ofSeconds(15)).until(() -> gw.get("/api/v1/promotions/" + id, ADMIN).data()
        .getString("completedAt") != null);
    return gw.get("/api/v1/promotions/" + id, ADMIN).data();
  }

  private static void assertMasked(JsonArray steps) {
    assertThat(steps.getJsonObject(0).getJsonObject("config").getJsonObject("headers"))
        .isEqualTo(new JsonObject().put("X-Api-Key", "***"));
    assertThat(steps.getJsonObject(1).getJsonObject("config").getJsonObject("headers"))
        .isEqualTo(new JsonObject().put("Authorization", "***"));
  }

  @Test
  @DisplayName("step header values are stored sealed, answered as ***, sent in clear, and kept when *** is sent back")
  void headersAreWriteOnly() throws Exception {
    try (RecordingServer target = new RecordingServer(r -> new RecordingServer.Answer(200, "{}"));
        TestGateway gw = TestGateway.start()) {
      Resp created = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", "sealed")
          .put("workflow", workflow(target, DEPLOY_SECRET, HOOK_SECRET)));
      assertThat(created.status()).as(created.body()).isEqualTo(201);
      String env = created.data().getString("id");
      assertMasked(created.data().getJsonArray("workflow"));
      assertMasked(gw.get("/api/v1/environments/" + env, ADMIN).data().getJsonArray("workflow"));
      assertThat(gw.get("/api/v1/environments", ADMIN).body()).doesNotContain(DEPLOY_SECRET, HOOK_SECRET);

      String stored = TestDatabases.query(gw.dbUrl(), "SELECT workflow::text FROM environment WHERE id = '" + env
          + "'").get(0);
      assertThat(stored).doesNotContain("deploy-secret-7f3a9c", HOOK_SECRET).contains("\"sealed\"");

      JsonObject done = promoteAndWait(gw, release(gw, "sealed"), env);
      assertThat(done.getString("status")).as(done.encode()).isEqualTo("deployed");
      assertMasked(done.getJsonArray("steps"));
      assertThat(TestDatabases.query(gw.dbUrl(), "SELECT steps::text FROM promotion").get(0))
          .doesNotContain("deploy-secret-7f3a9c", HOOK_SECRET);
      assertThat(target.requests()).extracting(r -> r.path()).containsExactly("/smoke", "/deploy");
      assertThat(target.requests().get(0).headers().getString("x-api-key")).isEqualTo(HOOK_SECRET);
      assertThat(target.requests().get(1).headers().getString("authorization")).isEqualTo(DEPLOY_SECRET);

      // The workflow as read back, saved again: *** keeps each stored value; a new value replaces it.
      JsonArray readBack = gw.get("/api/v1/environments/" + env, ADMIN).data().getJsonArray("workflow");
      readBack.getJsonObject(0).getJsonObject("config").getJsonObject("headers").put("X-Api-Key", "rotated-key");
      Resp patched = gw.patch("/api/v1/environments/" + env, ADMIN, new JsonObject().put("workflow", readBack));
      assertThat(patched.status()).as(patched.body()).isEqualTo(200);
      assertMasked(patched.data().getJsonArray("workflow"));
      promoteAndWait(gw, release(gw, "resaved"), env);
      assertThat(target.requests().get(2).headers().getString("x-api-key")).isEqualTo("rotated-key");
      assertThat(target.requests().get(3).headers().getString("authorization")).isEqualTo(DEPLOY_SECRET);

      // Another field changed alone leaves the workflow, and its sealed values, as they were.
      assertThat(gw.patch("/api/v1/environments/" + env, ADMIN, new JsonObject().put("displayName", "Sealed"))
          .status()).isEqualTo(200);
      promoteAndWait(gw, release(gw, "renamed"), env);
      assertThat(target.requests().get(5).headers().getString("authorization")).isEqualTo(DEPLOY_SECRET);

      // *** where nothing is stored is a 400 at the header's path.
      Resp placeholder = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", "placeholder")
          .put("workflow", workflow(target, "***", "real")));
      assertThat(placeholder.status()).isEqualTo(400);
      assertThat(placeholder.error().getJsonArray("validationErrors").getJsonObject(0).getString("field"))
          .isEqualTo("workflow[1].config.headers.Authorization");
    }
  }

  @Test
  @DisplayName("*** never carries a stored header to another scheme, host, port or step type; another path keeps it")
  void storedHeadersDoNotFollowANewDestination() throws Exception {
    try (RecordingServer target = new RecordingServer(r -> new RecordingServer.Answer(200, "{}"));
        RecordingServer thief = new RecordingServer(r -> new RecordingServer.Answer(200, "{}"));
        TestGateway gw = TestGateway.start()) {
      String env = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", "pinned")
          .put("workflow", workflow(target, DEPLOY_SECRET, HOOK_SECRET))).data().getString("id");
      JsonArray readBack = gw.get("/api/v1/environments/" + env, ADMIN).data().getJsonArray("workflow");

      JsonArray moved = readBack.copy();
      moved.getJsonObject(1).getJsonObject("config").put("url", thief.url() + "/deploy");
      Resp toThief = gw.patch("/api/v1/environments/" + env, ADMIN, new JsonObject().put("workflow", moved));
      assertThat(toThief.status()).as(toThief.body()).isEqualTo(400);
      JsonObject problem = toThief.error().getJsonArray("validationErrors").getJsonObject(0);
      assertThat(problem.getString("field")).isEqualTo("workflow[1].config.headers.Authorization");
      assertThat(problem.getString("code")).isEqualTo("CREDENTIALS_REQUIRED");

      JsonArray retyped = readBack.copy();
      retyped.getJsonObject(1).put("type", "http");
      assertThat(gw.patch("/api/v1/environments/" + env, ADMIN, new JsonObject().put("workflow", retyped)).status())
          .isEqualTo(400);

      JsonArray otherPath = readBack.copy();
      otherPath.getJsonObject(1).getJsonObject("config").put("url", target.url() + "/deploy-v2");
      assertThat(gw.patch("/api/v1/environments/" + env, ADMIN, new JsonObject().put("workflow", otherPath)).status())
          .isEqualTo(200);
      promoteAndWait(gw, release(gw, "pinned"), env);
      assertThat(target.requests()).extracting(r -> r.path()).containsExactly("/smoke", "/deploy-v2");
      assertThat(target.requests().get(1).headers().getString("authorization")).isEqualTo(DEPLOY_SECRET);
      assertThat(thief.requests()).isEmpty();
    }
  }

  @Test
  @DisplayName("header values stored in plaintext by an earlier version are sealed at the next start")
  void plaintextFromEarlierVersionsIsSealedAtStart() throws Exception {
    try (RecordingServer target = new RecordingServer(r -> new RecordingServer.Answer(200, "{}"))) {
      String dbUrl = TestDatabases.freshDatabase();
      AppConfig config = TestGateway.baseConfig().withDbUrl(dbUrl).withAdminToken(ADMIN);
      String env;
      try (TestGateway first = TestGateway.start(config, dbUrl)) {
        env = first.post("/api/v1/environments", ADMIN, new JsonObject().put("name", "legacy")
            .put("workflow", workflow(target, DEPLOY_SECRET, HOOK_SECRET))).data().getString("id");
        promoteAndWait(first, release(first, "legacy"), env);
      }
      // As an earlier version stored them: the values in clear, in the environment and the promotion's snapshot.
      String plain = workflow(target, DEPLOY_SECRET, HOOK_SECRET).encode().replace("'", "''");
      TestDatabases.execute(dbUrl, "UPDATE environment SET workflow = '" + plain + "'::jsonb");
      TestDatabases.execute(dbUrl, "UPDATE promotion SET steps = '" + plain + "'::jsonb");
      try (TestGateway second = TestGateway.start(config, dbUrl)) {
        String everything = "SELECT workflow::text || (SELECT string_agg(steps::text, '') FROM promotion) "
            + "FROM environment";
        await().atMost(Duration.ofSeconds(10)).until(() -> !TestDatabases.query(dbUrl, everything).get(0)
            .contains(HOOK_SECRET));
        assertThat(TestDatabases.query(dbUrl, everything).get(0)).doesNotContain("deploy-secret-7f3a9c")
            .contains("\"sealed\"");
        assertThat(second.get("/api/v1/environments/" + env, ADMIN).body()).doesNotContain(HOOK_SECRET);
        promoteAndWait(second, release(second, "after"), env);
        assertThat(target.requests().get(3).headers().getString("authorization")).isEqualTo(DEPLOY_SECRET);
      }
    }
  }

  @Test
  @DisplayName("an http step keeps at most 64 KiB of the response body, says it was truncated, and no response headers")
  void httpOutputsAreCapped() {
    String big = "x".repeat(100 * 1024);
    try (RecordingServer target = new RecordingServer(r -> new RecordingServer.Answer(200,
            r.path().equals("/big") ? big : "{\"ok\":true}"));
        TestGateway gw = TestGateway.start()) {
      String env = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", "chatty").put("workflow",
          new JsonArray()
              .add(new JsonObject().put("id", "big").put("type", "http").put("config",
                  new JsonObject().put("url", target.url() + "/big")))
              .add(new JsonObject().put("id", "small").put("type", "http").put("config",
                  new JsonObject().put("url", target.url() + "/small"))))).data().getString("id");
      JsonObject done = promoteAndWait(gw, release(gw, "chatty"), env);
      assertThat(done.getString("status")).isEqualTo("deployed");
      JsonObject big1 = done.getJsonArray("steps").getJsonObject(0).getJsonObject("outputs");
      assertThat(big1.fieldNames()).containsExactlyInAnyOrder("status", "body", "bodyTruncated");
      assertThat(big1.getString("body")).hasSize(64 * 1024);
      assertThat(big1.getBoolean("bodyTruncated")).isTrue();
      JsonObject small = done.getJsonArray("steps").getJsonObject(1).getJsonObject("outputs");
      assertThat(small.getString("body")).isEqualTo("{\"ok\":true}");
      assertThat(small.getBoolean("bodyTruncated")).isFalse();
    }
  }

  @Test
  @DisplayName("a capped body never ends inside a UTF-8 character")
  void cappedPrefixKeepsWholeCharacters() {
    byte[] euro = "ab€".getBytes(StandardCharsets.UTF_8); // 'a', 'b', then 3 bytes
    assertThat(CappedBody.prefix(euro, euro.length, 3)).isEqualTo("ab");
    assertThat(CappedBody.prefix(euro, euro.length, 4)).isEqualTo("ab");
    assertThat(CappedBody.prefix(euro, euro.length, 5)).isEqualTo("ab€");
    assertThat(CappedBody.prefix(euro, euro.length, 64)).isEqualTo("ab€");
  }
}
