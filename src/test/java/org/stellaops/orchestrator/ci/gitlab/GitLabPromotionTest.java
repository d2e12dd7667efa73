package org.stellaops.orchestrator.ci.gitlab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.support.FakeGitLab;
import org.stellaops.orchestrator.support.RecordingServer;
import org.stellaops.orchestrator.support.Steps;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;

/**
 * Promotions whose trigger-ci step creates GitLab pipelines in a project that lets no one set pipeline variables
 * (the default for GitLab.com projects created since 2025), against a GitLab stand-in that refuses them as
 * GitLab does.
 */
class GitLabPromotionTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  private static final String LOCKED = "myorg/locked";
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass(TestGateway.FAST_SCHEDULER);
  @AutoClose
  static final FakeGitLab gitlab = new FakeGitLab();
  @AutoClose
  static final RecordingServer target = RecordingServer.acceptingAll();
  private static String ci;
  private static String component;

  @BeforeAll
  static void start() {
    gitlab.restrictPipelineVariables(LOCKED);
    gitlab.emptyProject("myorg/empty");
    ci = gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "ci.gitlab").put("name", "gitlab-ci")
        .put("config", new JsonObject().put("endpoint", gitlab.url()).put("pollIntervalSeconds", 1))
        .put("credentials", new JsonObject().put("token", FakeGitLab.TOKEN))).data().getString("id");
    component = gw.createComponent("gl-app", "registry.example.com/myorg/gl-app").getString("id");
  }

  /**
   * Runs a promotion of a new release (no sourceRef) through trigger-ci then deploy; every pipeline it creates
   * succeeds. Answers the promotion once it has ended.
   */
  private static JsonObject promoteThrough(String name, JsonObject triggerConfig) {
    JsonArray workflow = new JsonArray().add(Steps.triggerCiAndWait(ci, triggerConfig.put("pipelineId", LOCKED)))
        .add(Steps.deployTo(target.url() + "/deploy"));
    Resp env = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", name)
        .put("url", "https://" + name + ".example.com").put("requiredApprovals", 0).put("workflow", workflow));
    assertThat(env.status()).as(env.body()).isEqualTo(201);
    Resp release = gw.post("/api/v1/releases", ADMIN, new JsonObject().put("name", "gl-app-" + name)
        .put("components", new JsonArray().add(new JsonObject().put("componentId", component)
            .put("digest", "sha256:" + "a".repeat(64)))));
    assertThat(release.status()).as(release.body()).isEqualTo(201);
    int before = gitlab.created().size();
    Resp promotion = gw.post("/api/v1/promotions", ADMIN, new JsonObject().put("releaseId",
        release.data().getString("id")).put("targetEnvironmentId", env.data().getString("id")).put("reason", "test"));
    assertThat(promotion.status()).as(promotion.body()).isEqualTo(201);
    String id = promotion.data().getString("id");
    await().atMost(Duration.ofSeconds(20)).until(() -> gitlab.created().size() > before
        || "failed".equals(gw.get("/api/v1/promotions/" + id, ADMIN).data().getString("status")));
    if (gitlab.created().size() > before) {
      gitlab.setStatus(gitlab.created().get(gitlab.created().size() - 1).getString("id"), "success");
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> Set.of("deployed", "failed")
        .contains(gw.get("/api/v1/promotions/" + id, ADMIN).data().getString("status")));
    return gw.get("/api/v1/promotions/" + id, ADMIN).data();
  }

  @Test
  @DisplayName("a step without variables of its own triggers without the STELLA_* ones where the project allows none, on the default branch, says so on the run, and reaches deployed")
  void contextDroppedWhereVariablesAreRestricted() {
    JsonObject done = promoteThrough("gl-plain", new JsonObject());

    assertThat(done.getString("status")).as(done.encodePrettily()).isEqualTo("deployed");
    JsonObject pipeline = gitlab.created().stream().filter(c -> c.getString("project").equals("myorg%2Flocked"))
        .reduce((a, b) -> b).orElseThrow();
    assertThat(pipeline.containsKey("variables")).isFalse();
    assertThat(pipeline.getString("ref")).isEqualTo("main");
    JsonObject outputs = done.getJsonArray("steps").getJsonObject(0).getJsonObject("outputs");
    assertThat(outputs.getJsonArray("notes").encode()).contains("allows no pipeline variables", "STELLA_RELEASE_ID");
    String runId = outputs.getString("gatewayRunId");
    assertThat(gw.get("/api/v1/pipeline-runs/" + runId, ADMIN).data().getJsonArray("notes").encode())
        .contains("allows no pipeline variables");
    assertThat(gitlab.userAgents()).isNotEmpty().allSatisfy(ua -> assertThat(ua).startsWith("stella-release-orchestrator/"));
  }

  @Test
  @DisplayName("a step with variables of its own fails with an error naming them and the GitLab project setting")
  void ownVariablesFailClearly() {
    int before = gitlab.created().size();

    JsonObject done = promoteThrough("gl-vars", new JsonObject().put("variables", new JsonObject().put("SUITE", "full")));

    assertThat(done.getString("status")).isEqualTo("failed");
    assertThat(done.getJsonArray("steps").getJsonObject(0).getString("error"))
        .contains("SUITE", "Minimum role to use pipeline variables", "ci_pipeline_variables_minimum_override_role");
    assertThat(gitlab.created()).hasSize(before);
  }

  @Test
  @DisplayName("pipelineInputs reach GitLab as the pipeline's inputs, which a project restricting variables accepts")
  void pipelineInputs() {
    JsonObject done = promoteThrough("gl-inputs", new JsonObject().put("pipelineInputs", new JsonObject()
        .put("environment", "staging").put("replicas", 3).put("canary", true)));

    assertThat(done.getString("status")).as(done.encodePrettily()).isEqualTo("deployed");
    JsonObject pipeline = gitlab.created().get(gitlab.created().size() - 1);
    assertThat(pipeline.getJsonObject("inputs")).isEqualTo(new JsonObject().put("environment", "staging")
        .put("replicas", 3).put("canary", true));
    assertThat(pipeline.containsKey("variables")).isFalse();
  }

  @Test
  @DisplayName("pipelineInputs that are not strings, numbers, booleans or arrays are a 400 when the workflow is saved")
  void badPipelineInputs() {
    Resp r = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", "gl-bad-inputs")
        .put("url", "https://gl-bad-inputs.example.com").put("requiredApprovals", 0).put("workflow", new JsonArray()
            .add(new JsonObject().put("id", "ci").put("type", "trigger-ci").put("config", new JsonObject()
                .put("integrationId", ci).put("pipelineId", LOCKED).put("waitForCompletion", true)
                .put("pipelineInputs", new JsonObject().put("nested", new JsonObject().put("a", 1)))))));

    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.body()).contains("pipelineInputs.nested");
  }

  @Test
  @DisplayName("a trigger with no ref in a project without a default branch is a 400 naming ref, and no pipeline is created")
  void noRefAnywhereIs400() {
    int before = gitlab.created().size();

    Resp r = gw.post("/api/v1/pipeline-runs", ADMIN, new JsonObject().put("integrationId", ci)
        .put("pipelineId", "myorg/empty"));

    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.body()).contains("\"field\":\"ref\"");
    assertThat(gitlab.created()).hasSize(before);
  }
}
