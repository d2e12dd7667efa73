package org.stellaops.orchestrator.ci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.platform.AppConfig;
import org.stellaops.orchestrator.support.FakeGitLab;
import org.stellaops.orchestrator.support.TestDatabases;
import org.stellaops.orchestrator.support.TestGateway;

/** Waits are rows, so they outlive the process that started them. */
class PipelineRunRestartTest {

  @Test
  @DisplayName("stop the gateway mid-wait, let CI finish, start it again: the run completes and the event fires once")
  void waitSurvivesRestart() throws Exception {
    try (FakeGitLab gitlab = new FakeGitLab()) {
      String dbUrl = TestDatabases.freshDatabase();
      AppConfig config = TestGateway.baseConfig().withDbUrl(dbUrl).withAdminToken(TestGateway.ADMIN_TOKEN)
          .withScheduler(new AppConfig.Scheduler(200, 500, 32));
      String runId;
      String vendorId;
      try (TestGateway first = TestGateway.start(config, dbUrl)) {
        String integration = first.post("/api/v1/integrations", TestGateway.ADMIN_TOKEN, new JsonObject()
            .put("type", "ci.gitlab").put("name", "gitlab")
            .put("config", new JsonObject().put("endpoint", gitlab.url()).put("pollIntervalSeconds", 1))
            .put("credentials", new JsonObject().put("token", FakeGitLab.TOKEN))).data().getString("id");
        JsonObject run = first.post("/api/v1/pipeline-runs", TestGateway.ADMIN_TOKEN, new JsonObject()
            .put("integrationId", integration).put("pipelineId", "grp/app").put("ref", "main")).data();
        runId = run.getString("id");
        vendorId = run.getString("pipelineRunId");
        gitlab.setStatus(vendorId, "running");
        await().atMost(Duration.ofSeconds(10)).until(() -> "running".equals(
            first.get("/api/v1/pipeline-runs/" + runId, TestGateway.ADMIN_TOKEN).data().getString("status")));
      }
      gitlab.setStatus(vendorId, "success");
      int readsWhileDown = gitlab.reads(vendorId);

      try (TestGateway second = TestGateway.start(config, dbUrl)) {
        await().atMost(Duration.ofSeconds(15)).until(() -> "success".equals(
            second.get("/api/v1/pipeline-runs/" + runId, TestGateway.ADMIN_TOKEN).data().getString("status")));
        assertThat(gitlab.reads(vendorId)).isGreaterThan(readsWhileDown);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).untilAsserted(() ->
            assertThat(second.get("/metrics", null).body().lines()
                .filter(l -> l.startsWith("stella_ci_runs_completed_total{")).toList())
                .containsExactly("stella_ci_runs_completed_total{by=\"poll\",status=\"success\"} 1.0"));
      }
    }
  }
}
