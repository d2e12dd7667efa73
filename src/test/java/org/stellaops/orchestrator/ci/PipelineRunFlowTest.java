package org.stellaops.orchestrator.ci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.platform.Events;
import org.stellaops.orchestrator.support.FakeGitLab;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;
import org.stellaops.orchestrator.support.Webhooks;

/**
 * Triggering a pipeline and waiting for it through the real gateway: the Quartz tick, the
 * poller and the GitLab connector against a GitLab stand-in, and webhooks racing the poll.
 */
class PipelineRunFlowTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  private static final String HOOK_SECRET = "gitlab-hook-secret";
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass(TestGateway.FAST_SCHEDULER);
  @AutoClose
  static final FakeGitLab gitlab = new FakeGitLab();
  private static String integration;
  private static final List<JsonObject> completions = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    gw.app().vertx().eventBus().<JsonObject>consumer(Events.CI_RUN_COMPLETED, m -> completions.add(m.body()));
    integration = gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "ci.gitlab").put("name", "gitlab")
        .put("config", new JsonObject().put("endpoint", gitlab.url()).put("pollIntervalSeconds", 1))
        .put("credentials", new JsonObject().put("token", FakeGitLab.TOKEN).put("webhookSecret", HOOK_SECRET)))
        .data().getString("id");
  }

  private static JsonObject trigger(JsonObject extra) {
    Resp r = gw.post("/api/v1/pipeline-runs", ADMIN, new JsonObject().put("integrationId", integration)
        .put("pipelineId", "grp/app").put("ref", "main").put("waitForCompletion", true).mergeIn(extra));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.data();
  }

  private static JsonObject run(String id) {
    return gw.get("/api/v1/pipeline-runs/" + id, ADMIN).data();
  }

  private static long waitRows(String runId) throws java.sql.SQLException {
    return Long.parseLong(org.stellaops.orchestrator.support.TestDatabases.query(gw.dbUrl(),
        "SELECT count(*) FROM pipeline_wait WHERE run_id = '" + runId + "'").get(0));
  }

  private static long completionsOf(String runId) {
    return completions.stream().filter(c -> runId.equals(c.getString("pipelineRunId"))).count();
  }

  @Test
  @DisplayName("a run's variables are shown to integration:update holders only; pipeline-run readers get the run without them")
  void variablesNeedIntegrationUpdate() throws Exception {
    // A GitLab of its own, so this run's polls never take a fault another test sets up.
    try (FakeGitLab own = new FakeGitLab()) {
      String ownIntegration = gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "ci.gitlab")
          .put("name", "gitlab-variables").put("config", new JsonObject().put("endpoint", own.url())
              .put("pollIntervalSeconds", 1)).put("credentials", new JsonObject().put("token", FakeGitLab.TOKEN)))
          .data().getString("id");
      Resp created = gw.post("/api/v1/pipeline-runs", ADMIN, new JsonObject().put("integrationId", ownIntegration)
          .put("pipelineId", "grp/app").put("ref", "main").put("waitForCompletion", true)
          .put("variables", new JsonObject().put("DB_URL", "postgres://x@db/app")));
      assertThat(created.status()).as(created.body()).isEqualTo(201);
      JsonObject run = created.data();
      showsVariablesOnlyToUpdaters(run, ownIntegration);
      own.setStatus(run.getString("pipelineRunId"), "success");
      await().atMost(Duration.ofSeconds(10)).until(() -> "success".equals(run(run.getString("id")).getString("status")));
    }
  }

  private static void showsVariablesOnlyToUpdaters(JsonObject run, String integration) {
    String reader = gw.createServiceAccount(new JsonObject().put("name", "run-reader").put("permissions",
        new JsonArray().add(new JsonObject().put("resource", "pipeline-run").put("action", "read")))).getString("token");
    String updater = gw.createServiceAccount(new JsonObject().put("name", "run-reader-updater").put("permissions",
        new JsonArray().add(new JsonObject().put("resource", "pipeline-run").put("action", "read"))
            .add(new JsonObject().put("resource", "integration").put("action", "update")))).getString("token");

    Resp one = gw.get("/api/v1/pipeline-runs/" + run.getString("id"), reader);
    assertThat(one.status()).isEqualTo(200);
    assertThat(one.data().containsKey("variables")).isFalse();
    assertThat(one.data().getString("status")).isNotBlank();
    Resp listed = gw.get("/api/v1/pipeline-runs?integrationId=" + integration, reader);
    assertThat(listed.body()).contains(run.getString("id")).doesNotContain("postgres://x@db/app");

    assertThat(gw.get("/api/v1/pipeline-runs/" + run.getString("id"), updater).data().getJsonObject("variables")
        .getString("DB_URL")).isEqualTo("postgres://x@db/app");
  }

  @Test
  @DisplayName("a triggered pipeline is polled through its states and completes once, with the STELLA_* variables")
  void triggerAndWait() throws Exception {
    JsonObject run = trigger(new JsonObject().put("variables", new JsonObject().put("DEPLOY_TARGET", "staging"))
        .put("releaseId", "7b0c1b8e-2f7e-4a11-9c55-0d7c9a3e5b21").put("environment", "staging").put("timeout", 120));
    String vendorId = run.getString("pipelineRunId");
    assertThat(run.getString("status")).isEqualTo("pending");
    assertThat(run.getString("webUrl")).endsWith("/-/pipelines/" + vendorId);
    JsonObject sent = gitlab.created().stream().filter(c -> vendorId.equals(c.getString("id"))).findFirst().orElseThrow();
    assertThat(sent.getString("ref")).isEqualTo("main");
    assertThat(sent.getJsonArray("variables").stream().map(v -> ((JsonObject) v).getString("key")).toList())
        .contains("DEPLOY_TARGET", "STELLA_RELEASE_ID", "STELLA_ENVIRONMENT");

    gitlab.setStatus(vendorId, "running");
    await().atMost(Duration.ofSeconds(10)).until(() -> "running".equals(run(run.getString("id")).getString("status")));
    gitlab.setStatus(vendorId, "success");
    await().atMost(Duration.ofSeconds(10)).until(() -> "success".equals(run(run.getString("id")).getString("status")));
    await().atMost(Duration.ofSeconds(5)).until(() -> completionsOf(run.getString("id")) == 1);
    JsonObject done = completions.stream().filter(c -> run.getString("id").equals(c.getString("pipelineRunId")))
        .findFirst().orElseThrow();
    assertThat(done.getString("vendorStatus")).isEqualTo("success");
    assertThat(run(run.getString("id")).getString("completedBy")).isEqualTo("poll");
    // The ended run keeps how often it was claimed; its schedule row is gone with it.
    assertThat(run(run.getString("id")).getInteger("polls")).isEqualTo(gitlab.reads(vendorId));
    assertThat(waitRows(run.getString("id"))).isZero();
    int readsAtEnd = gitlab.reads(vendorId);
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
        .until(() -> gitlab.reads(vendorId) == readsAtEnd);
  }

  @Test
  @DisplayName("a wait whose deadline passes ends timed_out with the event")
  void deadline() throws Exception {
    JsonObject run = trigger(new JsonObject().put("timeout", 2));
    gitlab.setStatus(run.getString("pipelineRunId"), "running");
    assertThat(waitRows(run.getString("id"))).isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> "timed_out".equals(run(run.getString("id")).getString("status")));
    await().atMost(Duration.ofSeconds(5)).until(() -> completionsOf(run.getString("id")) == 1);
    assertThat(waitRows(run.getString("id"))).isZero();
    assertThat(run(run.getString("id")).getString("completedBy")).isEqualTo("deadline");
  }

  @Test
  @DisplayName("cancelling calls GitLab's cancel and ends the wait once; a second cancel is a 409")
  void cancel() {
    JsonObject run = trigger(new JsonObject());
    Resp cancelled = gw.post("/api/v1/pipeline-runs/" + run.getString("id") + "/cancel", ADMIN, "");
    assertThat(cancelled.status()).isEqualTo(200);
    assertThat(cancelled.data().getString("status")).isEqualTo("cancelled");
    assertThat(gitlab.cancels()).contains(run.getString("pipelineRunId"));
    assertThat(gw.post("/api/v1/pipeline-runs/" + run.getString("id") + "/cancel", ADMIN, "").status()).isEqualTo(409);
    await().atMost(Duration.ofSeconds(5)).until(() -> completionsOf(run.getString("id")) == 1);
  }

  @Test
  @DisplayName("a pipeline webhook and a poll racing to finish the same run publish one completion")
  void webhookAndPollRace() {
    JsonObject run = trigger(new JsonObject());
    String vendorId = run.getString("pipelineRunId");
    gitlab.setStatus(vendorId, "failed");
    String hook = new JsonObject().put("object_kind", "pipeline")
        .put("object_attributes", new JsonObject().put("id", Long.parseLong(vendorId)).put("status", "failed")
            .put("ref", "main").put("sha", "a91957a858320c0e17f3a0eca7cfacbff50ea29a")
            .put("url", gitlab.url() + "/grp/app/-/pipelines/" + vendorId)
            .put("finished_at", "2026-11-27 10:00:05 UTC"))
        .put("project", new JsonObject().put("id", 42).put("path_with_namespace", "grp/app")).encode();
    Resp r = Webhooks.send(gw, "/api/v1/webhooks/ci/" + integration, hook, Map.of("X-Gitlab-Event", "Pipeline Hook",
        "X-Gitlab-Token", HOOK_SECRET));
    assertThat(r.status()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(10)).until(() -> "failed".equals(run(run.getString("id")).getString("status")));
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> completionsOf(run.getString("id")) == 1);
  }

  @Test
  @DisplayName("a run CI started itself can be watched until it finishes; a webhook gets it polled at once, and "
      + "GitLab's answer ends it")
  void watchAndWebhook() {
    // Polled hourly: after the watch's first poll, only the poll the webhook asks for can end the wait early.
    String hourly = gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "ci.gitlab")
        .put("name", "gitlab-hourly").put("config", new JsonObject().put("endpoint", gitlab.url())
            .put("pollIntervalSeconds", 3600))
        .put("credentials", new JsonObject().put("token", FakeGitLab.TOKEN).put("webhookSecret", HOOK_SECRET)))
        .data().getString("id");
    JsonObject started = trigger(new JsonObject());
    String vendorId = started.getString("pipelineRunId");
    gw.post("/api/v1/pipeline-runs/" + started.getString("id") + "/cancel", ADMIN, "");
    gitlab.setStatus(vendorId, "running");
    Resp watched = gw.post("/api/v1/pipeline-runs/watch", ADMIN, new JsonObject().put("integrationId", hourly)
        .put("pipelineId", "grp/app").put("runId", Long.parseLong(vendorId)).put("timeout", 60));
    assertThat(watched.status()).as(watched.body()).isEqualTo(201);
    String id = watched.data().getString("id");
    await().atMost(Duration.ofSeconds(10)).until(() -> "running".equals(run(id).getString("status")));
    gitlab.setStatus(vendorId, "success");
    String hook = new JsonObject().put("object_kind", "pipeline")
        .put("object_attributes", new JsonObject().put("id", Long.parseLong(vendorId)).put("status", "success"))
        .put("project", new JsonObject().put("path_with_namespace", "grp/app")).encode();
    Webhooks.send(gw, "/api/v1/webhooks/ci/" + hourly, hook, Map.of("X-Gitlab-Event", "Pipeline Hook",
        "X-Gitlab-Token", HOOK_SECRET));
    await().atMost(Duration.ofSeconds(10)).until(() -> "success".equals(run(id).getString("status")));
    assertThat(run(id).getString("completedBy")).isEqualTo("webhook");
    await().atMost(Duration.ofSeconds(5)).until(() -> completionsOf(id) == 1);
  }

  @Test
  @DisplayName("bad trigger requests: every invalid field listed, unknown integration and pipeline are 422s")
  void badTriggers() {
    Resp invalid = gw.post("/api/v1/pipeline-runs", ADMIN, new JsonObject().put("integrationId", "x")
        .put("timeout", -5).put("variables", new JsonObject().put("A", 1)));
    assertThat(invalid.status()).isEqualTo(400);
    assertThat(invalid.error().getJsonArray("validationErrors").stream().map(e -> ((JsonObject) e).getString("field"))
        .toList()).containsExactlyInAnyOrder("integrationId", "pipelineId", "timeout", "variables.A");
    Resp unknown = gw.post("/api/v1/pipeline-runs", ADMIN, new JsonObject()
        .put("integrationId", "7b0c1b8e-2f7e-4a11-9c55-0d7c9a3e5b21").put("pipelineId", "grp/app").put("ref", "main"));
    assertThat(unknown.status()).isEqualTo(422);
    Resp missing = gw.post("/api/v1/pipeline-runs", ADMIN, new JsonObject().put("integrationId", integration)
        .put("pipelineId", "grp/missing").put("ref", "main"));
    assertThat(missing.status()).isEqualTo(422);
    assertThat(missing.error().getString("code")).isEqualTo("CI_PIPELINE_NOT_FOUND");
    assertThat(missing.error().getString("message")).contains("gitlab");
    assertThat(gw.get("/api/v1/pipeline-runs?status=weird", ADMIN).status()).isEqualTo(400);
    assertThat(gw.get("/api/v1/pipeline-runs/00000000-0000-0000-0000-000000000000", ADMIN).status()).isEqualTo(404);
  }

  @Test
  @DisplayName("5xx and malformed answers are retried with backoff without failing the run; 429 pauses, then it resumes")
  void faultsAreRetried() {
    JsonObject run = trigger(new JsonObject());
    String vendorId = run.getString("pipelineRunId");
    gitlab.setStatus(vendorId, "running");
    gitlab.failReads(502, Map.of(), "<html>bad gateway</html>", 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> run(run.getString("id")).getString("lastError") != null);
    assertThat(run(run.getString("id")).getString("status")).isIn("pending", "running");
    gitlab.failReads(200, Map.of("Content-Type", "application/json"), "{not json", 1);
    gitlab.failReads(429, Map.of("Retry-After", "2"), "Retry later", 1);
    gitlab.setStatus(vendorId, "success");
    await().atMost(Duration.ofSeconds(20)).until(() -> "success".equals(run(run.getString("id")).getString("status")));
    assertThat(gw.get("/metrics", null).body()).contains("stella_ci_ratelimit_pauses_total{connector=\"ci.gitlab\"}");
  }

  @Test
  @DisplayName("a 401 from GitLab fails the run with an error naming the integration")
  void unauthorizedFailsTheRun() {
    String bad = gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "ci.gitlab").put("name", "gitlab-bad")
        .put("config", new JsonObject().put("endpoint", gitlab.url()).put("pollIntervalSeconds", 1))
        .put("credentials", new JsonObject().put("token", FakeGitLab.TOKEN))).data().getString("id");
    JsonObject run = gw.post("/api/v1/pipeline-runs", ADMIN, new JsonObject().put("integrationId", bad)
        .put("pipelineId", "grp/app").put("ref", "main")).data();
    gw.patch("/api/v1/integrations/" + bad, ADMIN, new JsonObject().put("credentials",
        new JsonObject().put("token", "revoked-token")));
    await().atMost(Duration.ofSeconds(15)).until(() -> "failed".equals(run(run.getString("id")).getString("status")));
    assertThat(run(run.getString("id")).getString("lastError")).contains("gitlab-bad");
    Resp check = gw.post("/api/v1/integrations/" + bad + "/test", ADMIN, "");
    assertThat(check.status()).isEqualTo(422);
    assertThat(gw.post("/api/v1/integrations/" + integration + "/test", ADMIN, "").data().getString("message"))
        .contains("stella-bot");
  }

  @Test
  @DisplayName("an integration's config.maxConcurrentPolls caps its polls in flight; bad poll settings are refused")
  void perIntegrationConcurrencyCap() {
    try (FakeGitLab slow = new FakeGitLab()) {
      slow.delayReads(400);
      Resp bad = gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "ci.gitlab").put("name", "bad-poll")
          .put("config", new JsonObject().put("endpoint", slow.url()).put("pollIntervalSeconds", 0)
              .put("maxConcurrentPolls", "many"))
          .put("credentials", new JsonObject().put("token", FakeGitLab.TOKEN)));
      assertThat(bad.status()).isEqualTo(400);
      assertThat(bad.error().getJsonArray("validationErrors").stream().map(e -> ((JsonObject) e).getString("field"))
          .toList()).containsExactlyInAnyOrder("config.pollIntervalSeconds", "config.maxConcurrentPolls");

      String capped = gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "ci.gitlab")
          .put("name", "capped").put("config", new JsonObject().put("endpoint", slow.url())
              .put("pollIntervalSeconds", 1).put("maxConcurrentPolls", 2))
          .put("credentials", new JsonObject().put("token", FakeGitLab.TOKEN))).data().getString("id");
      for (int i = 0; i < 12; i++) {
        String vendorId = String.valueOf(900 + i);
        slow.setStatus(vendorId, "running");
        assertThat(gw.post("/api/v1/pipeline-runs/watch", ADMIN, new JsonObject().put("integrationId", capped)
            .put("pipelineId", "grp/slow").put("runId", Long.parseLong(vendorId)).put("timeout", 60)).status())
            .isEqualTo(201);
      }
      // Every run is read at least twice: the learnt cap holds across ticks.
      await().atMost(Duration.ofSeconds(20)).until(() -> java.util.stream.IntStream.range(0, 12)
          .allMatch(i -> slow.reads(String.valueOf(900 + i)) >= 2));
      // The first tick may dispatch before the cap is learnt from the integration; after that, 2.
      int early = slow.mostReadsAtOnce();
      assertThat(early).isLessThanOrEqualTo(12);
      java.util.Map<String, Integer> before = new java.util.HashMap<>();
      java.util.stream.IntStream.range(0, 12).forEach(i -> before.put(String.valueOf(900 + i),
          slow.reads(String.valueOf(900 + i))));
      slow.resetMostReadsAtOnce();
      await().atMost(Duration.ofSeconds(20)).until(() -> before.entrySet().stream()
          .allMatch(e -> slow.reads(e.getKey()) > e.getValue()));
      assertThat(slow.mostReadsAtOnce()).isEqualTo(2);
      for (int i = 0; i < 12; i++) {
        slow.setStatus(String.valueOf(900 + i), "success");
      }
    }
  }
}
