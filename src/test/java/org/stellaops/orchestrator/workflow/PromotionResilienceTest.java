package org.stellaops.orchestrator.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.platform.AppConfig;
import org.stellaops.orchestrator.platform.Events;
import org.stellaops.orchestrator.support.FakeGitLab;
import org.stellaops.orchestrator.support.RecordingServer;
import org.stellaops.orchestrator.support.TestDatabases;
import org.stellaops.orchestrator.support.TestGateway;

/** Promotions are rows: they survive restarts, and duplicated events move them once. */
class PromotionResilienceTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;

  private static String setUp(TestGateway gw, FakeGitLab gitlab, RecordingServer target) {
    String ci = gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "ci.gitlab").put("name", "gitlab")
        .put("config", new JsonObject().put("endpoint", gitlab.url()).put("pollIntervalSeconds", 1))
        .put("credentials", new JsonObject().put("token", FakeGitLab.TOKEN))).data().getString("id");
    String env = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", "staging").put("workflow",
        new JsonArray()
            .add(new JsonObject().put("id", "tests").put("type", "trigger-ci").put("config", new JsonObject()
                .put("integrationId", ci).put("pipelineId", "grp/tests").put("ref", "main")
                .put("waitForCompletion", true)))
            .add(new JsonObject().put("id", "deploy").put("type", "deploy")
                .put("config", new JsonObject().put("url", target.url() + "/deploy"))))).data().getString("id");
    String component = gw.createComponent("app", "registry.example.com/app").getString("id");
    String release = gw.post("/api/v1/releases", ADMIN, new JsonObject().put("name", "app-1").put("components",
        new JsonArray().add(new JsonObject().put("componentId", component).put("digest", "sha256:" + "f".repeat(64)))))
        .data().getString("id");
    return gw.post("/api/v1/promotions", ADMIN, new JsonObject().put("releaseId", release)
        .put("targetEnvironmentId", env)).data().getString("id");
  }

  /** A gateway on {@code dbUrl} that polls every 200 ms, to stop and start again on the same database. */
  private static AppConfig restartable(String dbUrl) {
    return TestGateway.baseConfig().withDbUrl(dbUrl).withAdminToken(ADMIN)
        .withScheduler(new AppConfig.Scheduler(200, 500, 32));
  }

  private static String status(TestGateway gw, String promotion) {
    return gw.get("/api/v1/promotions/" + promotion, ADMIN).data().getString("status");
  }

  @Test
  @DisplayName("restart mid-wait: the pipeline finishes while the gateway is down; the promotion resumes and deploys once")
  void restartMidWait() throws Exception {
    try (FakeGitLab gitlab = new FakeGitLab();
        RecordingServer target = new RecordingServer(r -> new RecordingServer.Answer(200, "{}"))) {
      String dbUrl = TestDatabases.freshDatabase();
      AppConfig config = restartable(dbUrl);
      String promotion;
      try (TestGateway first = TestGateway.start(config, dbUrl)) {
        promotion = setUp(first, gitlab, target);
        await().atMost(Duration.ofSeconds(10)).until(() -> first.get("/api/v1/promotions/" + promotion, ADMIN).data()
            .getString("waitingOn") != null);
      }
      gitlab.setStatus(gitlab.created().get(0).getString("id"), "success");
      try (TestGateway second = TestGateway.start(config, dbUrl)) {
        await().atMost(Duration.ofSeconds(15)).until(() -> "deployed".equals(status(second, promotion)));
        assertThat(target.requests()).hasSize(1);
      }
    }
  }

  @Test
  @DisplayName("a duplicated ci.run.completed never runs a step twice")
  void duplicatedCompletion() {
    try (FakeGitLab gitlab = new FakeGitLab();
        RecordingServer target = new RecordingServer(r -> new RecordingServer.Answer(200, "{}"));
        TestGateway gw = TestGateway.start(TestGateway.FAST_SCHEDULER)) {
      String promotion = setUp(gw, gitlab, target);
      await().atMost(Duration.ofSeconds(10)).until(() -> gw.get("/api/v1/promotions/" + promotion, ADMIN).data()
          .getString("waitingOn") != null);
      String run = gw.get("/api/v1/promotions/" + promotion, ADMIN).data().getString("waitingOn").substring(4);
      gitlab.setStatus(gitlab.created().get(0).getString("id"), "success");
      await().atMost(Duration.ofSeconds(15)).until(() -> "deployed".equals(status(gw, promotion)));
      for (int i = 0; i < 3; i++) {
        gw.app().vertx().eventBus().publish(Events.CI_RUN_COMPLETED, new JsonObject().put("pipelineRunId", run)
            .put("status", "success"));
      }
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> target.requests().size() == 1);
      assertThat(status(gw, promotion)).isEqualTo("deployed");
    }
  }

  /**
   * Leaves the promotion as a replica killed during its deploy step leaves it: the pipeline
   * step succeeded, the deploy step claimed ("running", started {@code minutesAgo} ago) and no
   * result recorded.
   */
  private static void strandDeployStep(String dbUrl, String promotion, int minutesAgo) throws Exception {
    TestDatabases.execute(dbUrl, """
        UPDATE promotion
        SET status = 'deploying', current_step = 1, waiting_on = NULL, version = version + 1,
            steps = jsonb_set(jsonb_set(jsonb_set(steps, '{0,status}', '"succeeded"'), '{1,status}', '"running"'),
                              '{1,startedAt}',
                              to_jsonb(to_char((now() - make_interval(mins => %d)) AT TIME ZONE 'UTC',
                                               'YYYY-MM-DD"T"HH24:MI:SS"Z"')))
        WHERE id = '%s'
        """.formatted(minutesAgo, promotion));
  }

  @Test
  @DisplayName("a step left running by a killed replica is failed as interrupted once its timeout has passed, and not run again")
  void strandedStepFails() throws Exception {
    try (FakeGitLab gitlab = new FakeGitLab();
        RecordingServer target = new RecordingServer(r -> new RecordingServer.Answer(200, "{}"))) {
      String dbUrl = TestDatabases.freshDatabase();
      AppConfig config = restartable(dbUrl);
      String stranded;
      String recent;
      try (TestGateway first = TestGateway.start(config, dbUrl)) {
        stranded = setUp(first, gitlab, target);
        recent = first.post("/api/v1/promotions", ADMIN, new JsonObject()
            .put("releaseId", first.get("/api/v1/promotions/" + stranded, ADMIN).data().getString("releaseId"))
            .put("targetEnvironmentId", first.get("/api/v1/promotions/" + stranded, ADMIN).data()
                .getString("targetEnvironmentId"))).data().getString("id");
        await().atMost(Duration.ofSeconds(10)).until(() -> Stream.of(stranded, recent).allMatch(id ->
            first.get("/api/v1/promotions/" + id, ADMIN).data().getString("waitingOn") != null));
      }
      // The deploy step's timeout is 600 s (the default): 11 minutes is past it and its margin, 2 is not.
      strandDeployStep(dbUrl, stranded, 11);
      strandDeployStep(dbUrl, recent, 2);
      try (TestGateway second = TestGateway.start(config, dbUrl)) {
        await().atMost(Duration.ofSeconds(15)).until(() -> "failed".equals(status(second, stranded)));
        JsonObject failed = second.get("/api/v1/promotions/" + stranded, ADMIN).data();
        assertThat(failed.getString("error")).startsWith("step deploy was interrupted");
        JsonObject step = failed.getJsonArray("steps").getJsonObject(1);
        assertThat(step.getString("status")).isEqualTo("failed");
        assertThat(step.getString("error")).contains("it was not run again");
        // A step that may still be running elsewhere is left alone through more than one sweep (every 5 s).
        await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8)).until(() ->
            "deploying".equals(status(second, recent)));
        assertThat(second.get("/api/v1/promotions/" + recent, ADMIN).data().getJsonArray("steps").getJsonObject(1)
            .getString("status")).isEqualTo("running");
        assertThat(target.requests()).as("no deploy request was sent again").isEmpty();
      }
    }
  }
}
