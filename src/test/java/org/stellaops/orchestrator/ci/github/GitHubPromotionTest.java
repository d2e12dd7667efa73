package org.stellaops.orchestrator.ci.github;

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
import org.stellaops.orchestrator.support.FakeGitHub;
import org.stellaops.orchestrator.support.RecordingServer;
import org.stellaops.orchestrator.support.Steps;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;

/**
 * Promotions whose trigger-ci step dispatches GitHub workflows, against a GitHub stand-in that refuses undeclared
 * inputs, a missing ref, requests without a User-Agent and over-limit callers as GitHub does.
 */
class GitHubPromotionTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass(TestGateway.FAST_SCHEDULER);
  @AutoClose
  static final FakeGitHub github = new FakeGitHub().repo("myorg/app", "main").repo("myorg/empty", null)
      .workflow("myorg/app", "deploy.yml", "environment")
      .workflow("myorg/app", "stella.yml", "environment", "STELLA_RELEASE_ID", "STELLA_PROMOTION_ID",
          "STELLA_ENVIRONMENT")
      .workflow("myorg/empty", "deploy.yml", "environment");
  @AutoClose
  static final RecordingServer target = RecordingServer.acceptingAll();
  private static String ci;
  private static String component;

  @BeforeAll
  static void start() {
    ci = gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "ci.github").put("name", "github-ci")
        .put("config", new JsonObject().put("endpoint", github.url()).put("pollIntervalSeconds", 1))
        .put("credentials", new JsonObject().put("token", FakeGitHub.TOKEN))).data().getString("id");
    component = gw.createComponent("gh-app", "registry.example.com/myorg/gh-app").getString("id");
  }

  /** Runs a promotion of a new release through trigger-ci then deploy; answers it once it has ended. */
  private static JsonObject promoteThrough(String name, JsonObject triggerConfig, JsonObject sourceRef) {
    JsonArray workflow = new JsonArray().add(Steps.triggerCiAndWait(ci, triggerConfig))
        .add(Steps.deployTo(target.url() + "/deploy"));
    Resp env = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", name)
        .put("url", "https://" + name + ".example.com").put("requiredApprovals", 0).put("workflow", workflow));
    assertThat(env.status()).as(env.body()).isEqualTo(201);
    JsonObject release = new JsonObject().put("name", "gh-app-" + name).put("components", new JsonArray()
        .add(new JsonObject().put("componentId", component).put("digest", "sha256:" + "f".repeat(64))));
    if (sourceRef != null) {
      release.put("sourceRef", sourceRef);
    }
    Resp created = gw.post("/api/v1/releases", ADMIN, release);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    Resp promotion = gw.post("/api/v1/promotions", ADMIN, new JsonObject().put("releaseId",
        created.data().getString("id")).put("targetEnvironmentId", env.data().getString("id")).put("reason", "test"));
    assertThat(promotion.status()).as(promotion.body()).isEqualTo(201);
    String id = promotion.data().getString("id");
    await().atMost(Duration.ofSeconds(20)).until(() -> Set.of("deployed", "failed")
        .contains(gw.get("/api/v1/promotions/" + id, ADMIN).data().getString("status")));
    return gw.get("/api/v1/promotions/" + id, ADMIN).data();
  }

  private static JsonObject tag(String tag) {
    return new JsonObject().put("type", "git").put("repository", "https://github.com/myorg/app").put("commit", COMMIT)
        .put("tag", tag);
  }

  @Test
  @DisplayName("a workflow that does not declare the STELLA_* inputs is dispatched with its own inputs only, the run says so, and the promotion reaches deployed")
  void undeclaredContextIsLeftOut() {
    JsonObject done = promoteThrough("gh-plain", new JsonObject().put("pipelineId", "myorg/app/deploy.yml")
        .put("variables", new JsonObject().put("environment", "staging")), tag("v2.0.0"));

    assertThat(done.getString("status")).as(done.encodePrettily()).isEqualTo("deployed");
    FakeGitHub.Dispatch dispatch = github.dispatches().stream()
        .filter(d -> d.workflow().equals("deploy.yml") && d.ref().equals("v2.0.0")).findFirst().orElseThrow();
    assertThat(dispatch.inputs()).isEqualTo(new JsonObject().put("environment", "staging"));
    assertThat(github.refusals()).isEmpty();
    assertThat(done.getJsonArray("steps").getJsonObject(0).getJsonObject("outputs").getJsonArray("notes").encode())
        .contains("does not declare", "STELLA_ENVIRONMENT", "STELLA_PROMOTION_ID", "STELLA_RELEASE_ID");
  }

  @Test
  @DisplayName("a workflow declaring the STELLA_* inputs gets them, on the repository's default branch when nothing else names a ref")
  void declaredContextIsSentOnTheDefaultBranch() {
    JsonObject done = promoteThrough("gh-stella", new JsonObject().put("pipelineId", "myorg/app/stella.yml"), null);

    assertThat(done.getString("status")).as(done.encodePrettily()).isEqualTo("deployed");
    FakeGitHub.Dispatch dispatch = github.dispatches().stream().filter(d -> d.workflow().equals("stella.yml"))
        .findFirst().orElseThrow();
    assertThat(dispatch.ref()).isEqualTo("main");
    assertThat(dispatch.inputs().fieldNames())
        .containsExactlyInAnyOrder("STELLA_RELEASE_ID", "STELLA_PROMOTION_ID", "STELLA_ENVIRONMENT");
    assertThat(dispatch.inputs().getString("STELLA_ENVIRONMENT")).isEqualTo("gh-stella");
  }

  @Test
  @DisplayName("a step asking for an input the workflow does not declare fails with an error naming it, and nothing is dispatched")
  void undeclaredStepInputFails() {
    int before = github.dispatches().size();

    JsonObject done = promoteThrough("gh-undeclared", new JsonObject().put("pipelineId", "myorg/app/deploy.yml")
        .put("variables", new JsonObject().put("environment", "staging").put("SUITE", "full")), tag("v2.0.1"));

    assertThat(done.getString("status")).isEqualTo("failed");
    assertThat(done.getJsonArray("steps").getJsonObject(0).getString("error"))
        .contains("does not declare", "SUITE", "on.workflow_dispatch.inputs").doesNotContain("STELLA_");
    assertThat(github.dispatches()).hasSize(before);
  }

  @Test
  @DisplayName("a trigger with no ref on a repository without a default branch is a 400 naming ref, and nothing is dispatched")
  void noRefAnywhereIs400() {
    int before = github.dispatches().size();

    Resp r = gw.post("/api/v1/pipeline-runs", ADMIN, new JsonObject().put("integrationId", ci)
        .put("pipelineId", "myorg/empty/deploy.yml").put("variables", new JsonObject().put("environment", "qa")));

    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.body()).contains("\"field\":\"ref\"").contains("no default branch");
    assertThat(github.dispatches()).hasSize(before);
    assertThat(github.refusals()).noneMatch(m -> m.contains("ref"));
  }

  @Test
  @DisplayName("a rate-limited read of the workflow file is a 429 saying so, not a dispatch GitHub refuses")
  void rateLimitedWorkflowRead() {
    int before = github.dispatches().size();
    github.exhaustRateLimit(1);

    Resp r = gw.post("/api/v1/pipeline-runs", ADMIN, new JsonObject().put("integrationId", ci)
        .put("pipelineId", "myorg/app/deploy.yml").put("ref", "main"));

    assertThat(r.status()).as(r.body()).isEqualTo(429);
    assertThat(r.body()).contains("rate-limiting", "workflow file .github/workflows/deploy.yml");
    assertThat(r.header("Retry-After")).isNotNull();
    assertThat(github.dispatches()).hasSize(before);
  }

  @Test
  @DisplayName("a token GitHub does not accept is a 422 CI_CREDENTIALS_REJECTED naming the integration")
  void badCredentials() {
    String wrong = gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "ci.github")
        .put("name", "github-wrong-token").put("config", new JsonObject().put("endpoint", github.url()))
        .put("credentials", new JsonObject().put("token", "ghp_not_the_one"))).data().getString("id");

    Resp r = gw.post("/api/v1/pipeline-runs", ADMIN, new JsonObject().put("integrationId", wrong)
        .put("pipelineId", "myorg/app/deploy.yml").put("ref", "main"));

    assertThat(r.status()).as(r.body()).isEqualTo(422);
    assertThat(r.body()).contains("CI_CREDENTIALS_REJECTED", "github-wrong-token", "Bad credentials");
  }
}
