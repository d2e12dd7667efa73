package org.stellaops.orchestrator.ci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.platform.Events;
import org.stellaops.orchestrator.support.FakeGitLab;
import org.stellaops.orchestrator.support.RecordingServer;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;
import org.stellaops.orchestrator.support.Webhooks;

/**
 * A CI event never ends a wait by itself: a verified GitLab pipeline hook or a bearer-authenticated
 * {@code ci-status} / {@code build-complete} body only makes the gateway ask GitLab now, and GitLab's
 * answer ends the wait. The integration here is polled once an hour, so a wait that ends within
 * seconds was ended by the poll the event asked for.
 *
 * <p>GitLab is stood in for by {@link FakeGitLab} (create and read a pipeline as documented at
 * https://docs.gitlab.com/api/pipelines/#create-a-new-pipeline and
 * https://docs.gitlab.com/api/pipelines/#get-a-single-pipeline); hooks are shaped and authenticated
 * as GitLab sends them (https://docs.gitlab.com/user/project/integrations/webhook_events/#pipeline-events,
 * {@code X-Gitlab-Token}: https://docs.gitlab.com/user/project/integrations/webhooks/#custom-headers).
 */
class CiEventPollTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  private static final String HOOK_SECRET = "gitlab-hook-secret-5";
  private static final String DIGEST = "sha256:" + "e".repeat(64);
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass(TestGateway.FAST_SCHEDULER);
  @AutoClose
  static final FakeGitLab gitlab = new FakeGitLab();
  @AutoClose
  static final RecordingServer target = RecordingServer.acceptingAll();
  private static String hourly;
  private static String ciToken;
  private static String component;
  private static final List<JsonObject> completions = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    gw.app().vertx().eventBus().<JsonObject>consumer(Events.CI_RUN_COMPLETED, m -> completions.add(m.body()));
    hourly = gitlabIntegration("gitlab-hourly", gitlab, 3600);
    ciToken = gw.createServiceAccount(new JsonObject().put("name", "ci-events").put("roles", new JsonArray())
        .put("permissions", new JsonArray().add(new JsonObject().put("resource", "ci-event").put("action", "create"))))
        .getString("token");
    component = gw.createComponent("hooked", "registry.example.com/myorg/hooked").getString("id");
  }

  private static String gitlabIntegration(String name, FakeGitLab fake, int pollIntervalSeconds) {
    Resp r = gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "ci.gitlab").put("name", name)
        .put("config", new JsonObject().put("endpoint", fake.url()).put("pollIntervalSeconds", pollIntervalSeconds))
        .put("credentials", new JsonObject().put("token", FakeGitLab.TOKEN).put("webhookSecret", HOOK_SECRET)));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.data().getString("id");
  }

  /** A GitLab pipeline hook, each with its own X-Gitlab-Event-UUID as GitLab sends them. */
  private static Resp hook(String integration, String vendorId, String status) {
    String body = new JsonObject().put("object_kind", "pipeline")
        .put("object_attributes", new JsonObject().put("id", Long.parseLong(vendorId)).put("status", status)
            .put("ref", "main").put("sha", "a91957a858320c0e17f3a0eca7cfacbff50ea29a")
            .put("url", gitlab.url() + "/grp/app/-/pipelines/" + vendorId)
            .put("finished_at", "2026-11-27 10:00:05 UTC"))
        .put("project", new JsonObject().put("id", 42).put("path_with_namespace", "grp/app")).encode();
    Resp r = Webhooks.send(gw, "/api/v1/webhooks/ci/" + integration, body, Map.of("X-Gitlab-Event", "Pipeline Hook",
        "X-Gitlab-Token", HOOK_SECRET, "X-Gitlab-Event-UUID", UUID.randomUUID().toString()));
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    return r;
  }

  /** A run triggered on the hourly integration: its first scheduled poll is an hour away. */
  private static JsonObject trigger() {
    Resp r = gw.post("/api/v1/pipeline-runs", ADMIN, new JsonObject().put("integrationId", hourly)
        .put("pipelineId", "grp/app").put("ref", "main"));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.data();
  }

  private static JsonObject run(String id) {
    return gw.get("/api/v1/pipeline-runs/" + id, ADMIN).data();
  }

  private static JsonObject delivery(Resp ack) {
    return gw.get("/api/v1/webhook-deliveries/" + ack.data().getString("deliveryId"), ADMIN).data();
  }

  /** Waits until the delivery is processed and says it asked for a poll of {@code runId}. */
  private static void awaitPollRequested(Resp ack, String runId) {
    await().atMost(Duration.ofSeconds(10)).until(() -> "processed".equals(delivery(ack).getString("status")));
    assertThat(delivery(ack).getString("reason")).contains("poll requested for pipeline run " + runId);
  }

  private static long completionsOf(String runId) {
    return completions.stream().filter(c -> runId.equals(c.getString("pipelineRunId"))).count();
  }

  private static String promote(String name) {
    JsonArray workflow = new JsonArray()
        .add(new JsonObject().put("id", "tests").put("type", "trigger-ci").put("config", new JsonObject()
            .put("integrationId", hourly).put("pipelineId", "grp/app").put("waitForCompletion", true)))
        .add(new JsonObject().put("id", "deploy").put("type", "deploy")
            .put("config", new JsonObject().put("url", target.url() + "/" + name)));
    Resp env = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", name)
        .put("url", "https://" + name + ".example.com").put("requiredApprovals", 0).put("workflow", workflow));
    assertThat(env.status()).as(env.body()).isEqualTo(201);
    String release = gw.post("/api/v1/releases", ADMIN, new JsonObject().put("name", "hooked-" + name)
        .put("components", new JsonArray().add(new JsonObject().put("componentId", component).put("digest", DIGEST)))
        .put("sourceRef", new JsonObject().put("type", "git").put("repository", "https://gitlab.example.com/grp/app")
            .put("commit", "0123456789abcdef0123456789abcdef01234567").put("tag", "v1.0.0")))
        .data().getString("id");
    Resp p = gw.post("/api/v1/promotions", ADMIN, new JsonObject().put("releaseId", release)
        .put("targetEnvironmentId", env.data().getString("id")).put("reason", "test"));
    assertThat(p.status()).as(p.body()).isEqualTo(201);
    String id = p.data().getString("id");
    await().atMost(Duration.ofSeconds(10)).until(() -> "waiting".equals(step(id).getString("status")));
    return id;
  }

  private static JsonObject promotion(String id) {
    return gw.get("/api/v1/promotions/" + id, ADMIN).data();
  }

  private static JsonObject step(String promotionId) {
    return promotion(promotionId).getJsonArray("steps").getJsonObject(0);
  }

  /** The pipeline run a promotion's trigger-ci step waits for. */
  private static JsonObject runOfPromotion(String promotionId) {
    JsonArray runs = gw.get("/api/v1/pipeline-runs?integrationId=" + hourly + "&limit=200", ADMIN).json()
        .getJsonArray("data");
    return runs.stream().map(JsonObject.class::cast)
        .filter(r -> promotionId.equals(r.getJsonObject("variables").getString("STELLA_PROMOTION_ID")))
        .findFirst().orElseThrow();
  }

  /** Makes the fake GitLab report {@code status} for the run's pipeline; answers the pipeline's id. */
  private static String gitlabSays(JsonObject run, String status) {
    String vendorId = run.getString("pipelineRunId");
    gitlab.setStatus(vendorId, status);
    return vendorId;
  }

  /**
   * Both hooks were accepted; the success GitLab confirms ended its run's wait, the forged one was
   * read back from GitLab once and left its run running.
   */
  private static void assertOnlyTheConfirmedSuccessEndsItsWait(JsonObject forged, Resp forgedAck, JsonObject real,
      Resp realAck) {
    assertThat(forgedAck.status()).as(forgedAck.body()).isEqualTo(202);
    assertThat(realAck.status()).as(realAck.body()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(10)).until(() -> "success".equals(run(real.getString("id")).getString("status")));
    assertThat(run(real.getString("id")).getString("completedBy")).isEqualTo("webhook");
    awaitPollRequested(forgedAck, forged.getString("id"));
    await().atMost(Duration.ofSeconds(10)).until(() -> gitlab.reads(forged.getString("pipelineRunId")) == 1);
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
        .until(() -> run(forged.getString("id")).getString("status").equals("running"));
  }

  @Test
  @DisplayName("a verified GitLab hook saying success while GitLab says running leaves the run running and the "
      + "promotion's step waiting; the wait keeps its schedule")
  void forgedGitLabSuccess() {
    String promotion = promote("forged");
    JsonObject run = runOfPromotion(promotion);
    String vendorId = gitlabSays(run, "running");

    Resp ack = hook(hourly, vendorId, "success");

    awaitPollRequested(ack, run.getString("id"));
    await().atMost(Duration.ofSeconds(10)).until(() -> "running".equals(run(run.getString("id")).getString("status")));
    assertThat(gitlab.reads(vendorId)).isEqualTo(1);
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() ->
        "running".equals(run(run.getString("id")).getString("status")) && "waiting".equals(step(promotion)
            .getString("status")));
    JsonObject after = run(run.getString("id"));
    assertThat(after.getString("completedBy")).isNull();
    assertThat(after.getInteger("polls")).isEqualTo(1);
    assertThat(Instant.parse(after.getString("nextPollAt"))).isAfter(Instant.now().plus(Duration.ofMinutes(50)));
    assertThat(completionsOf(run.getString("id"))).isZero();
    assertThat(target.requests()).noneMatch(r -> r.path().equals("/forged"));
  }

  @Test
  @DisplayName("a flood of hooks for one run costs GitLab one read per spacing interval, not one per hook")
  void requestedPollsAreSpaced() {
    String promotion = promote("flooded");
    JsonObject run = runOfPromotion(promotion);
    String vendorId = gitlabSays(run, "running");
    awaitPollRequested(hook(hourly, vendorId, "success"), run.getString("id"));
    await().atMost(Duration.ofSeconds(10)).until(() -> gitlab.reads(vendorId) == 1
        && run(run.getString("id")).getInteger("polls") == 1);
    Instant firstPoll = Instant.now();
    List<Resp> flood = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      flood.add(hook(hourly, vendorId, "success"));
    }
    flood.forEach(ack -> awaitPollRequested(ack, run.getString("id")));
    long elapsed = Duration.between(firstPoll, Instant.now()).getSeconds();
    assertThat(gitlab.reads(vendorId)).as("GitLab reads after 11 hooks in %d s", elapsed)
        .isLessThanOrEqualTo(1 + (int) (elapsed / PipelineRunRepository.REQUESTED_POLL_SPACING_SECONDS));
    // Once the spacing has passed, a hook gets its poll again: the one GitLab confirms ends the wait.
    gitlab.setStatus(vendorId, "success");
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() -> {
      hook(hourly, vendorId, "success");
      return "success".equals(run(run.getString("id")).getString("status"));
    });
    assertThat(gitlab.reads(vendorId)).isLessThanOrEqualTo(
        2 + (int) (Duration.between(firstPoll, Instant.now()).getSeconds() / PipelineRunRepository.REQUESTED_POLL_SPACING_SECONDS));
  }

  @Test
  @DisplayName("the same hook once GitLab reports success ends the wait within seconds, by the poll it asked for, "
      + "and the promotion deploys")
  void confirmedGitLabSuccess() {
    String promotion = promote("confirmed");
    JsonObject run = runOfPromotion(promotion);
    String vendorId = gitlabSays(run, "success");

    Resp ack = hook(hourly, vendorId, "success");

    await().atMost(Duration.ofSeconds(10)).until(() -> "deployed".equals(promotion(promotion).getString("status")));
    awaitPollRequested(ack, run.getString("id"));
    JsonObject done = run(run.getString("id"));
    assertThat(done.getString("status")).isEqualTo("success");
    assertThat(done.getString("vendorStatus")).isEqualTo("success");
    assertThat(done.getString("completedBy")).isEqualTo("webhook");
    assertThat(gitlab.reads(vendorId)).isEqualTo(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> completionsOf(run.getString("id")) == 1);
    assertThat(gw.get("/metrics", null).body()).contains("stella_ci_run_event_confirmation_seconds_count");
  }

  @Test
  @DisplayName("a hook saying failed while GitLab says success ends the wait as GitLab says: success")
  void vendorWordWinsOverTheHook() {
    JsonObject run = trigger();
    String vendorId = run.getString("pipelineRunId");
    gitlab.setStatus(vendorId, "success");

    hook(hourly, vendorId, "failed");

    await().atMost(Duration.ofSeconds(10)).until(() -> !run(run.getString("id")).getString("status").equals("pending"));
    assertThat(run(run.getString("id")).getString("status")).isEqualTo("success");
  }

  @Test
  @DisplayName("build-complete with a ci-event:create token and an integrationId: a forged success changes nothing, "
      + "a success GitLab confirms ends the wait")
  void buildComplete() {
    JsonObject forged = trigger();
    gitlabSays(forged, "running");
    JsonObject real = trigger();
    gitlabSays(real, "success");

    Resp forgedAck = gw.post("/api/v1/ci-events/build-complete", ciToken, new JsonObject().put("integrationId", hourly)
        .put("buildId", forged.getString("pipelineRunId")).put("status", "success"));
    Resp realAck = gw.post("/api/v1/ci-events/build-complete", ciToken, new JsonObject().put("integrationId", hourly)
        .put("buildId", real.getString("pipelineRunId")).put("status", "success"));
    assertOnlyTheConfirmedSuccessEndsItsWait(forged, forgedAck, real, realAck);
  }

  @Test
  @DisplayName("ci-status (no integration named) with a ci-event:create token: the waits for that build id are asked "
      + "about; a forged success changes nothing, a confirmed one ends the wait")
  void ciStatus() {
    JsonObject forged = trigger();
    gitlabSays(forged, "running");
    JsonObject real = trigger();
    gitlabSays(real, "success");

    Resp forgedAck = gw.post("/api/v1/webhooks/ci-status", ciToken, new JsonObject()
        .put("buildId", forged.getString("pipelineRunId")).put("status", "success").put("commit", "abc123"));
    Resp realAck = gw.post("/api/v1/webhooks/ci-status", ciToken, new JsonObject()
        .put("buildId", real.getString("pipelineRunId")).put("status", "success").put("commit", "abc123"));
    assertOnlyTheConfirmedSuccessEndsItsWait(forged, forgedAck, real, realAck);
    Resp unknown = gw.post("/api/v1/webhooks/ci-status", ciToken, new JsonObject().put("buildId", "987654321")
        .put("status", "success"));
    await().atMost(Duration.ofSeconds(10)).until(() -> "processed".equals(delivery(unknown).getString("status")));
    assertThat(delivery(unknown).getString("reason")).contains("no pipeline run waits for it");
  }

  @Test
  @DisplayName("a hook for a run whose integration GitLab rate-limited is not polled before the limit resets")
  void hookRespectsRateLimitPause() {
    try (FakeGitLab limited = new FakeGitLab()) {
      String everySecond = gitlabIntegration("gitlab-rate-limited", limited, 1);
      String vendorId = "6001";
      limited.setStatus(vendorId, "running");
      // https://docs.gitlab.com/security/rate_limits/ : 429 with Retry-After once a limit is hit.
      limited.failReads(429, Map.of("Retry-After", "60"), "Retry later", 1);
      Resp watched = gw.post("/api/v1/pipeline-runs/watch", ADMIN, new JsonObject().put("integrationId", everySecond)
          .put("pipelineId", "grp/app").put("runId", Long.parseLong(vendorId)).put("timeout", 120));
      assertThat(watched.status()).as(watched.body()).isEqualTo(201);
      String id = watched.data().getString("id");
      await().atMost(Duration.ofSeconds(10)).until(() -> limited.reads(vendorId) == 1
          && Instant.parse(run(id).getString("nextPollAt")).isAfter(Instant.now().plusSeconds(30)));
      limited.setStatus(vendorId, "success");

      Resp ack = hook(everySecond, vendorId, "success");

      await().atMost(Duration.ofSeconds(10)).until(() -> "processed".equals(delivery(ack).getString("status")));
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> limited.reads(vendorId) == 1);
      assertThat(run(id).getString("status")).isEqualTo("pending");
      gw.post("/api/v1/pipeline-runs/" + id + "/cancel", ADMIN, "");
    }
  }

  @Test
  @DisplayName("hooks racing the scheduled polls of the same runs, both answered success by GitLab, end each run once")
  void requestedAndScheduledPollsRace() {
    try (FakeGitLab slow = new FakeGitLab()) {
      // Every read takes most of the 1 s interval, so a scheduled poll is in flight when the hook's poll starts.
      slow.delayReads(700);
      String everySecond = gitlabIntegration("gitlab-every-second", slow, 1);
      List<String> vendorIds = IntStream.range(0, 10).mapToObj(i -> String.valueOf(5000 + i)).toList();
      List<String> runIds = vendorIds.stream().map(vendorId -> {
        slow.setStatus(vendorId, "running");
        Resp watched = gw.post("/api/v1/pipeline-runs/watch", ADMIN, new JsonObject().put("integrationId", everySecond)
            .put("pipelineId", "grp/app").put("runId", Long.parseLong(vendorId)).put("timeout", 120));
        assertThat(watched.status()).as(watched.body()).isEqualTo(201);
        return watched.data().getString("id");
      }).toList();
      await().atMost(Duration.ofSeconds(15)).until(() -> vendorIds.stream().allMatch(v -> slow.reads(v) >= 2));

      vendorIds.forEach(v -> slow.setStatus(v, "success"));
      vendorIds.forEach(v -> hook(everySecond, v, "success"));

      await().atMost(Duration.ofSeconds(15)).until(() -> runIds.stream()
          .allMatch(id -> "success".equals(run(id).getString("status"))));
      // Both kinds of poll were in flight for the same run at once: two reads less than one read apart.
      assertThat(vendorIds).anySatisfy(v -> {
        List<Long> times = slow.readTimes(v);
        assertThat(IntStream.range(1, times.size()).anyMatch(i -> times.get(i) - times.get(i - 1) < 700)).isTrue();
      });
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
          .until(() -> runIds.stream().allMatch(id -> completionsOf(id) == 1));
      assertThat(runIds).allSatisfy(id -> assertThat(run(id).getString("completedBy")).isIn("poll", "webhook"));
    }
  }
}
