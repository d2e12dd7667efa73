package org.stellaops.orchestrator.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.support.FakeGitHub;
import org.stellaops.orchestrator.support.FakeGitLab;
import org.stellaops.orchestrator.support.RecordingServer;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;

/**
 * A trigger-ci / wait-ci / deploy workflow end to end: a release is promoted, the workflow triggers a
 * pipeline on a GitLab stand-in, waits for it, deploys to a fake target, and the deployment is
 * reported to a GitHub stand-in (Deployments API, bodies checked against GitHub's published schemas) and to
 * GitLab (commit statuses and Deployments API).
 */
class PromotionFlowTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
  private static final String DIGEST = "sha256:" + "d".repeat(64);
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass(TestGateway.FAST_SCHEDULER);
  @AutoClose
  static final FakeGitLab gitlab = new FakeGitLab().ref("v1.2.0");
  @AutoClose
  static final FakeGitHub github = new FakeGitHub().repo("myorg/myapp", "main").repo("myorg/failing", "main")
      .repo("myorg/tolerant", "main").repo("myorg/approvals", "main");
  @AutoClose
  static final RecordingServer target = RecordingServer.acceptingAll();
  private static String ci;
  private static String component;

  @BeforeAll
  static void start() {
    ci = gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "ci.gitlab").put("name", "gitlab-ci")
        .put("config", new JsonObject().put("endpoint", gitlab.url()).put("pollIntervalSeconds", 1))
        .put("credentials", new JsonObject().put("token", FakeGitLab.TOKEN))).data().getString("id");
    gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "scm.github").put("name", "github")
        .put("config", new JsonObject().put("apiUrl", github.url()))
        .put("credentials", new JsonObject().put("token", FakeGitHub.TOKEN)));
    gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "scm.gitlab").put("name", "gitlab-scm")
        .put("config", new JsonObject().put("webUrl", gitlab.url()))
        .put("credentials", new JsonObject().put("token", FakeGitLab.TOKEN)));
    component = gw.createComponent("myapp", "registry.example.com/myorg/myapp").getString("id");
  }

  private static String release(String name, String repository) {
    return gw.post("/api/v1/releases", ADMIN, new JsonObject().put("name", name)
        .put("components", new JsonArray().add(new JsonObject().put("componentId", component).put("digest", DIGEST)))
        .put("sourceRef", new JsonObject().put("type", "git").put("repository", repository).put("commit", COMMIT)
            .put("tag", "v1.2.0"))).data().getString("id");
  }

  private static String environment(String name, int approvals, JsonArray workflow) {
    Resp r = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", name)
        .put("url", "https://" + name + ".example.com").put("requiredApprovals", approvals).put("workflow", workflow));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.data().getString("id");
  }

  private static JsonObject promotion(String id) {
    return gw.get("/api/v1/promotions/" + id, ADMIN).data();
  }

  private static String promote(String release, String environment) {
    Resp r = gw.post("/api/v1/promotions", ADMIN, new JsonObject().put("releaseId", release)
        .put("targetEnvironmentId", environment).put("reason", "test"));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.data().getString("id");
  }

  /** The deployments GitHub received for {@code repo}, then their statuses, in order. */
  private static List<JsonObject> deployments(String repo) {
    return github.deployments().stream().filter(d -> repo.equals(d.getString("repo"))).toList();
  }

  private static List<JsonObject> statuses(String repo) {
    return github.deploymentStatuses().stream().filter(s -> repo.equals(s.getString("repo"))).toList();
  }

  private static String latestPipeline() {
    await().atMost(Duration.ofSeconds(10)).until(() -> !gitlab.created().isEmpty());
    return gitlab.created().get(gitlab.created().size() - 1).getString("id");
  }

  @Test
  @DisplayName("Pattern 2: trigger-ci, wait-ci through runIdInput, deploy; GitHub gets deployment, in_progress, success")
  void pattern2() {
    JsonArray workflow = new JsonArray()
        .add(new JsonObject().put("id", "tests").put("type", "trigger-ci").put("config", new JsonObject()
            .put("integrationId", ci).put("pipelineId", "myorg/integration-tests").put("waitForCompletion", false)))
        .add(new JsonObject().put("id", "wait").put("type", "wait-ci")
            .put("inputs", new JsonObject().put("runId", "tests.pipelineRunId"))
            .put("config", new JsonObject().put("integrationId", ci).put("runIdInput", "runId").put("timeout", 120)
                .put("failOnError", true)))
        .add(new JsonObject().put("id", "deploy").put("type", "deploy")
            .put("config", new JsonObject().put("url", target.url() + "/deploy")));
    String env = environment("staging", 0, workflow);
    String release = release("myapp-pattern2", "https://github.com/myorg/myapp");
    int before = gitlab.created().size();
    String id = promote(release, env);

    await().atMost(Duration.ofSeconds(10)).until(() -> gitlab.created().size() > before);
    JsonObject pipeline = gitlab.created().get(gitlab.created().size() - 1);
    assertThat(pipeline.getString("ref")).isEqualTo("v1.2.0");
    assertThat(pipeline.getJsonArray("variables").stream().map(v -> ((JsonObject) v).getString("key")).toList())
        .contains("STELLA_RELEASE_ID", "STELLA_PROMOTION_ID", "STELLA_ENVIRONMENT");
    await().atMost(Duration.ofSeconds(10)).until(() -> "waiting".equals(
        promotion(id).getJsonArray("steps").getJsonObject(1).getString("status")));
    assertThat(target.requests()).isEmpty();
    gitlab.setStatus(pipeline.getString("id"), "success");

    await().atMost(Duration.ofSeconds(15)).until(() -> "deployed".equals(promotion(id).getString("status")));
    JsonObject done = promotion(id);
    assertThat(done.getJsonArray("steps").getJsonObject(1).getJsonObject("outputs").getBoolean("success")).isTrue();
    // Pipeline variables are for integration:update holders only, and promotion:read is not that.
    JsonObject waitedRun = done.getJsonArray("steps").getJsonObject(1).getJsonObject("outputs").getJsonObject("pipelineRun");
    assertThat(waitedRun.getString("id")).isNotBlank();
    assertThat(waitedRun.containsKey("variables")).isFalse();
    JsonObject deployed = target.requests().get(0).json();
    assertThat(deployed.getString("environment")).isEqualTo("staging");
    assertThat(deployed.getJsonArray("components").getJsonObject(0).getString("imageRef"))
        .isEqualTo("registry.example.com/myorg/myapp@" + DIGEST);
    String job = done.getString("deploymentJobId");
    assertThat(gw.get("/api/v1/deployments/" + job, ADMIN).data().getString("status")).isEqualTo("succeeded");

    await().atMost(Duration.ofSeconds(10)).until(() -> statuses("myorg/myapp").size() >= 2);
    assertThat(github.refusals()).isEmpty();
    List<JsonObject> created = deployments("myorg/myapp");
    assertThat(created).hasSize(1);
    assertThat(created.get(0).getString("ref")).isEqualTo(COMMIT);
    assertThat(created.get(0).getString("environment")).isEqualTo("staging");
    assertThat(created.get(0).getBoolean("auto_merge")).isFalse();
    assertThat(created.get(0).getJsonArray("required_contexts")).isEmpty();
    assertThat(created.get(0).getJsonObject("payload").getString("stellaPromotionId")).isEqualTo(id);
    List<JsonObject> statuses = statuses("myorg/myapp");
    assertThat(statuses).allSatisfy(s -> assertThat(s.getLong("deployment_id")).isEqualTo(created.get(0).getLong("id")));
    assertThat(statuses.get(0).getString("state")).isEqualTo("in_progress");
    assertThat(statuses.get(0).getString("log_url")).endsWith("/api/v1/deployments/" + job);
    assertThat(statuses.get(1).getString("state")).isEqualTo("success");
    assertThat(statuses.get(1).getString("environment_url")).isEqualTo("https://staging.example.com");
    assertThat(statuses.get(1).getString("description")).isEqualTo("Deployment completed successfully");
  }

  @Test
  @DisplayName("a failed pipeline fails the promotion with the page's error, deploys nothing, and reports failure")
  void failedPipeline() {
    JsonArray workflow = new JsonArray()
        .add(new JsonObject().put("id", "tests").put("type", "trigger-ci").put("config", new JsonObject()
            .put("integrationId", ci).put("pipelineId", "myorg/integration-tests").put("waitForCompletion", true)))
        .add(new JsonObject().put("id", "deploy").put("type", "deploy")
            .put("config", new JsonObject().put("url", target.url() + "/never")));
    String env = environment("qa", 0, workflow);
    String release = release("myapp-failing", "https://github.com/myorg/failing");
    int before = gitlab.created().size();
    String id = promote(release, env);
    await().atMost(Duration.ofSeconds(10)).until(() -> gitlab.created().size() > before);
    gitlab.setStatus(latestPipeline(), "failed");

    await().atMost(Duration.ofSeconds(15)).until(() -> "failed".equals(promotion(id).getString("status")));
    JsonObject failed = promotion(id);
    assertThat(failed.getString("error")).isEqualTo("Pipeline failed with status: failed");
    JsonObject step = failed.getJsonArray("steps").getJsonObject(0);
    assertThat(step.getString("status")).isEqualTo("failed");
    assertThat(step.getJsonObject("details").getString("status")).isEqualTo("failed");
    assertThat(step.getJsonObject("details").getString("pipelineRunId")).isNotBlank();
    assertThat(failed.getJsonArray("steps").getJsonObject(1).getString("status")).isEqualTo("pending");
    assertThat(target.requests()).noneMatch(r -> r.path().equals("/never"));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(statuses("myorg/failing"))
        .extracting(s -> s.getString("state")).containsExactly("in_progress", "failure"));
    assertThat(deployments("myorg/failing")).hasSize(1);
  }

  @Test
  @DisplayName("wait-ci with failOnError false lets the workflow go on with success:false")
  void failOnErrorFalse() {
    JsonArray workflow = new JsonArray()
        .add(new JsonObject().put("id", "tests").put("type", "trigger-ci").put("config", new JsonObject()
            .put("integrationId", ci).put("pipelineId", "myorg/flaky").put("waitForCompletion", false)))
        .add(new JsonObject().put("id", "wait").put("type", "wait-ci")
            .put("inputs", new JsonObject().put("runId", "tests.pipelineRunId"))
            .put("config", new JsonObject().put("integrationId", ci).put("runIdInput", "runId").put("timeout", 120)
                .put("failOnError", false)))
        .add(new JsonObject().put("id", "deploy").put("type", "deploy")
            .put("config", new JsonObject().put("url", target.url() + "/tolerant")));
    String env = environment("tolerant", 0, workflow);
    int before = gitlab.created().size();
    String id = promote(release("myapp-tolerant", "https://github.com/myorg/tolerant"), env);
    await().atMost(Duration.ofSeconds(10)).until(() -> gitlab.created().size() > before);
    gitlab.setStatus(latestPipeline(), "failed");
    await().atMost(Duration.ofSeconds(15)).until(() -> "deployed".equals(promotion(id).getString("status")));
    JsonObject wait = promotion(id).getJsonArray("steps").getJsonObject(1);
    assertThat(wait.getString("status")).isEqualTo("succeeded");
    assertThat(wait.getJsonObject("outputs").getBoolean("success")).isFalse();
    assertThat(wait.getJsonObject("outputs").getString("status")).isEqualTo("failed");
    assertThat(target.requests()).anyMatch(r -> r.path().equals("/tolerant"));
  }

  @Test
  @DisplayName("GitLab-hosted source gets commit statuses running then success named stella/<environment>, and a "
      + "deployment of the tag on its Environments page")
  void gitlabCommitStatuses() {
    JsonArray workflow = new JsonArray().add(new JsonObject().put("id", "deploy").put("type", "deploy")
        .put("config", new JsonObject().put("url", target.url() + "/deploy")));
    String env = environment("prod-eu", 0, workflow);
    String release = release("myapp-gitlab", gitlab.url() + "/grp/app");
    String id = promote(release, env);
    await().atMost(Duration.ofSeconds(15)).until(() -> "deployed".equals(promotion(id).getString("status")));
    await().atMost(Duration.ofSeconds(10)).until(() -> gitlab.commitStatuses().size() >= 2);
    List<JsonObject> statuses = gitlab.commitStatuses();
    assertThat(statuses).extracting(s -> s.getString("state")).containsExactly("running", "success");
    assertThat(statuses.get(0).getString("project")).isEqualTo("grp%2Fapp");
    assertThat(statuses.get(0).getString("sha")).isEqualTo(COMMIT);
    assertThat(statuses.get(0).getString("name")).isEqualTo("stella/prod-eu");
    assertThat(statuses.get(0).getString("ref")).isEqualTo("v1.2.0");
    assertThat(statuses.get(0).getString("description")).isEqualTo("Deploying to prod-eu");
    assertThat(statuses.get(1).getString("description")).isEqualTo("Deployed to prod-eu");
    await().atMost(Duration.ofSeconds(10)).until(() -> gitlab.deployments().stream()
        .anyMatch(d -> "grp/app".equals(d.getString("project")) && "success".equals(d.getString("status"))));
    JsonObject deployment = gitlab.deployments().stream().filter(d -> "grp/app".equals(d.getString("project")))
        .findFirst().orElseThrow();
    assertThat(deployment.getString("environment")).isEqualTo("prod-eu");
    assertThat(deployment.getString("ref")).isEqualTo("v1.2.0");
    assertThat(deployment.getBoolean("tag")).isTrue();
  }

  @Test
  @DisplayName("an approval step waits for distinct approvers other than the requester: approving twice counts once")
  void approvals() {
    JsonArray workflow = new JsonArray().add(new JsonObject().put("id", "ok").put("type", "approval"));
    String env = environment("production", 2, workflow);
    String id = promote(release("myapp-approvals", "https://github.com/myorg/approvals"), env);
    await().atMost(Duration.ofSeconds(10)).until(() -> "awaiting_approval".equals(promotion(id).getString("status")));
    String first = gw.createServiceAccount(new JsonObject().put("name", "approver-1").put("roles",
        new JsonArray().add("operator"))).getString("token");
    assertThat(gw.post("/api/v1/promotions/" + id + "/approve", first, "").status()).isEqualTo(200);
    assertThat(gw.post("/api/v1/promotions/" + id + "/approve", first, "").status()).isEqualTo(200);
    assertThat(promotion(id).getString("status")).isEqualTo("awaiting_approval");
    String second = gw.createServiceAccount(new JsonObject().put("name", "approver-2").put("roles",
        new JsonArray().add("operator"))).getString("token");
    assertThat(gw.post("/api/v1/promotions/" + id + "/approve", second, "").status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> "deployed".equals(promotion(id).getString("status")));
    assertThat(promotion(id).getJsonArray("steps").getJsonObject(0).getJsonObject("outputs").getJsonArray("approvers"))
        .containsExactly("service-account:approver-1", "service-account:approver-2");
    assertThat(gw.post("/api/v1/promotions/" + id + "/approve", second, "").status()).isEqualTo(409);
  }
}
