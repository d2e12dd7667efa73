package org.stellaops.orchestrator.reporting;

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
import org.stellaops.orchestrator.platform.AppConfig;
import org.stellaops.orchestrator.support.FakeGitHub;
import org.stellaops.orchestrator.support.FakeGitLab;
import org.stellaops.orchestrator.support.RecordingServer;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;

/**
 * Promotions reported to GitHub's Deployments API and to GitLab's Deployments API and commit statuses, against
 * stand-ins that refuse what the vendors refuse: every GitHub body is checked against GitHub's published
 * request-body schema, so a null where GitHub wants a string fails the report (422) and so the test.
 */
class DeploymentReportingTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static FakeGitHub github;
  private static FakeGitLab gitlab;
  private static RecordingServer target;
  private static TestGateway gw;
  private static String ciGithub;

  @BeforeAll
  static void start() {
    github = new FakeGitHub().repo("acme/app", "main");
    gitlab = new FakeGitLab().ref("v2.0.0").ref("release/2.x");
    // The deploy target fails any deploy to a path ending in /broken.
    target = new RecordingServer(r -> r.path().endsWith("/broken")
        ? new RecordingServer.Answer(500, "{\"error\":\"disk full\"}")
        : new RecordingServer.Answer(200, "{\"ok\":true}"));
    gw = TestGateway.start(c -> c.withScheduler(new AppConfig.Scheduler(200, 500, 32)));
    ciGithub = integrations(gw);
  }

  /** The reporting integrations and a GitHub Actions one; returns the latter's id. */
  private static String integrations(TestGateway gateway) {
    gateway.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "scm.github").put("name", "github")
        .put("config", new JsonObject().put("apiUrl", github.url()))
        .put("credentials", new JsonObject().put("token", FakeGitHub.TOKEN)));
    gateway.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "scm.gitlab").put("name", "gitlab")
        .put("config", new JsonObject().put("webUrl", gitlab.url()))
        .put("credentials", new JsonObject().put("token", FakeGitLab.TOKEN)));
    return gateway.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "ci.github")
        .put("name", "actions").put("config", new JsonObject().put("endpoint", github.url()))
        .put("credentials", new JsonObject().put("token", FakeGitHub.TOKEN))).data().getString("id");
  }

  @AfterAll
  static void stop() {
    gw.close();
    github.close();
    gitlab.close();
    target.close();
  }

  private static JsonArray deploy(String path) {
    return new JsonArray().add(new JsonObject().put("id", "deploy").put("type", "deploy")
        .put("config", new JsonObject().put("url", target.url() + path)));
  }

  private static String environment(TestGateway gateway, String name, String url, int approvals, JsonArray workflow) {
    JsonObject body = new JsonObject().put("name", name).put("requiredApprovals", approvals).put("workflow", workflow);
    if (url != null) {
      body.put("url", url);
    }
    Resp r = gateway.post("/api/v1/environments", ADMIN, body);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.data().getString("id");
  }

  private static String release(TestGateway gateway, String name, JsonObject sourceRef) {
    String component = gateway.createComponent(name, "registry.example.com/acme/" + name).getString("id");
    Resp r = gateway.post("/api/v1/releases", ADMIN, new JsonObject().put("name", name)
        .put("components", new JsonArray().add(new JsonObject().put("componentId", component)
            .put("digest", "sha256:" + "e".repeat(64))))
        .put("sourceRef", sourceRef.put("type", "git").put("commit", COMMIT)));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.data().getString("id");
  }

  private static JsonObject onGitHub() {
    return new JsonObject().put("repository", "https://github.com/acme/app").put("branch", "main");
  }

  private static String promote(TestGateway gateway, String release, String environment) {
    Resp r = gateway.post("/api/v1/promotions", ADMIN, new JsonObject().put("releaseId", release)
        .put("targetEnvironmentId", environment));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.data().getString("id");
  }

  private static String status(TestGateway gateway, String promotion) {
    return gateway.get("/api/v1/promotions/" + promotion, ADMIN).data().getString("status");
  }

  /** The states GitHub received for the deployment of {@code environment}, once {@code count} have arrived. */
  private static List<JsonObject> githubStatuses(String environment, int count) {
    await().atMost(WAIT).until(() -> !github.refusals().isEmpty() || statusesOf(environment).size() >= count);
    assertThat(github.refusals()).as("bodies GitHub would refuse with 422").isEmpty();
    return statusesOf(environment);
  }

  private static List<JsonObject> statusesOf(String environment) {
    List<Long> ids = github.deployments().stream().filter(d -> environment.equals(d.getString("environment")))
        .map(d -> d.getLong("id")).toList();
    return github.deploymentStatuses().stream().filter(s -> ids.contains(s.getLong("deployment_id"))).toList();
  }

  @Test
  @DisplayName("a successful promotion creates a GitHub deployment, then in_progress and success statuses with the "
      + "environment and log URLs, leaving auto_inactive to GitHub")
  void githubSuccess() {
    String env = environment(gw, "gh-staging", "https://staging.acme.example", 0, deploy("/deploy"));
    String promotion = promote(gw, release(gw, "gh-success", onGitHub()), env);
    await().atMost(WAIT).until(() -> "deployed".equals(status(gw, promotion)));

    List<JsonObject> statuses = githubStatuses("gh-staging", 2);
    JsonObject deployment = github.deployments().stream()
        .filter(d -> "gh-staging".equals(d.getString("environment"))).findFirst().orElseThrow();
    assertThat(deployment.getString("ref")).isEqualTo(COMMIT);
    assertThat(statuses).extracting(s -> s.getString("state")).containsExactly("in_progress", "success");
    assertThat(statuses.get(1).getString("environment_url")).isEqualTo("https://staging.acme.example");
    String job = gw.get("/api/v1/promotions/" + promotion, ADMIN).data().getString("deploymentJobId");
    assertThat(statuses).allSatisfy(s -> {
      assertThat(s.getString("log_url")).endsWith("/api/v1/deployments/" + job);
      assertThat(s.containsKey("auto_inactive")).isFalse();
    });
  }

  @Test
  @DisplayName("without an environment url or a public URL, GitHub statuses leave environment_url and log_url out "
      + "instead of sending null")
  void githubOmitsAbsentUrls() {
    try (TestGateway bare = TestGateway.start(DeploymentReportingTest::withoutPublicUrl)) {
      integrations(bare);
      String env = environment(bare, "gh-nourl", null, 0, deploy("/deploy"));
      String promotion = promote(bare, release(bare, "gh-nourl", onGitHub()), env);
      await().atMost(WAIT).until(() -> "deployed".equals(status(bare, promotion)));

      List<JsonObject> statuses = githubStatuses("gh-nourl", 2);
      assertThat(statuses).extracting(s -> s.getString("state")).containsExactly("in_progress", "success");
      assertThat(statuses).allSatisfy(s -> {
        assertThat(s.fieldNames()).doesNotContain("log_url", "environment_url");
        assertThat(s.getMap().values()).doesNotContainNull();
      });
    }
  }

  @Test
  @DisplayName("a cancelled promotion reports inactive to GitHub and canceled to GitLab's deployment")
  void cancelled() {
    JsonArray workflow = new JsonArray().add(new JsonObject().put("id", "ok").put("type", "approval"))
        .add(deploy("/deploy").getJsonObject(0));
    String env = environment(gw, "cancel-env", "https://cancel.acme.example", 1, workflow);
    String onGitHub = promote(gw, release(gw, "gh-cancel", onGitHub()), env);
    String onGitLab = promote(gw, release(gw, "gl-cancel", new JsonObject()
        .put("repository", gitlab.url() + "/grp/cancel").put("tag", "v2.0.0")), env);
    for (String promotion : List.of(onGitHub, onGitLab)) {
      await().atMost(WAIT).until(() -> "awaiting_approval".equals(status(gw, promotion)));
      assertThat(gw.post("/api/v1/promotions/" + promotion + "/cancel", ADMIN, "").status()).isEqualTo(200);
    }

    assertThat(githubStatuses("cancel-env", 2)).extracting(s -> s.getString("state"))
        .containsExactly("in_progress", "inactive");
    await().atMost(WAIT).until(() -> gitlab.deployments().stream()
        .anyMatch(d -> "grp/cancel".equals(d.getString("project")) && "canceled".equals(d.getString("status"))));
  }

  @Test
  @DisplayName("a failed deploy reports failure to GitHub and failed to GitLab's deployment")
  void failedDeploy() {
    String env = environment(gw, "broken-env", "https://broken.acme.example", 0, deploy("/broken"));
    String onGitHub = promote(gw, release(gw, "gh-broken", onGitHub()), env);
    String onGitLab = promote(gw, release(gw, "gl-broken", new JsonObject()
        .put("repository", gitlab.url() + "/grp/broken").put("branch", "release/2.x")), env);
    await().atMost(WAIT).until(() -> "failed".equals(status(gw, onGitHub)) && "failed".equals(status(gw, onGitLab)));

    assertThat(githubStatuses("broken-env", 2)).extracting(s -> s.getString("state"))
        .containsExactly("in_progress", "failure");
    await().atMost(WAIT).until(() -> gitlab.deployments().stream()
        .anyMatch(d -> "grp/broken".equals(d.getString("project")) && "failed".equals(d.getString("status"))));
    JsonObject deployment = gitlab.deployments().stream().filter(d -> "grp/broken".equals(d.getString("project")))
        .findFirst().orElseThrow();
    assertThat(deployment.getString("ref")).isEqualTo("release/2.x");
    assertThat(deployment.getBoolean("tag")).isFalse();
  }

  @Test
  @DisplayName("a step the gateway could not run (its CI refused the trigger) reports error to GitHub, not failure")
  void gatewayError() {
    JsonArray workflow = new JsonArray().add(new JsonObject().put("id", "build").put("type", "trigger-ci")
        .put("config", new JsonObject().put("integrationId", ciGithub).put("pipelineId", "acme/app/absent.yml")
            .put("waitForCompletion", false)))
        .add(deploy("/deploy").getJsonObject(0));
    String env = environment(gw, "error-env", "https://error.acme.example", 0, workflow);
    String promotion = promote(gw, release(gw, "gh-error", onGitHub()), env);
    await().atMost(WAIT).until(() -> "failed".equals(status(gw, promotion)));

    List<JsonObject> statuses = githubStatuses("error-env", 2);
    assertThat(statuses).extracting(s -> s.getString("state")).containsExactly("in_progress", "error");
    assertThat(target.requests()).noneMatch(r -> r.path().equals("/deploy") && r.body().contains("error-env"));
  }

  @Test
  @DisplayName("a GitLab-hosted release shows on GitLab's Environments page: a deployment created running for the "
      + "tag, then updated to success, besides the commit statuses")
  void gitlabDeployment() {
    String env = environment(gw, "gl-prod", "https://prod.acme.example", 0, deploy("/deploy"));
    String promotion = promote(gw, release(gw, "gl-success", new JsonObject()
        .put("repository", gitlab.url() + "/grp/app").put("tag", "v2.0.0")), env);
    await().atMost(WAIT).until(() -> "deployed".equals(status(gw, promotion)));

    await().atMost(WAIT).until(() -> gitlab.deployments().stream()
        .anyMatch(d -> "grp/app".equals(d.getString("project")) && "success".equals(d.getString("status"))));
    JsonObject deployment = gitlab.deployments().stream().filter(d -> "grp/app".equals(d.getString("project")))
        .findFirst().orElseThrow();
    assertThat(deployment.getString("environment")).isEqualTo("gl-prod");
    assertThat(deployment.getString("sha")).isEqualTo(COMMIT);
    assertThat(deployment.getString("ref")).isEqualTo("v2.0.0");
    assertThat(deployment.getBoolean("tag")).isTrue();
    assertThat(gitlab.deploymentUpdates()).filteredOn(u -> u.getLong("id").equals(deployment.getLong("id")))
        .extracting(u -> u.getString("status")).containsExactly("success");
    await().atMost(WAIT).until(() -> gitlab.commitStatuses().stream()
        .filter(s -> "grp%2Fapp".equals(s.getString("project"))).count() >= 2);
  }

  /** The gateway with {@code http.publicUrl} empty: it has no address users can reach. */
  private static AppConfig withoutPublicUrl(AppConfig c) {
    AppConfig.Http h = c.http();
    return new AppConfig(new AppConfig.Http(h.port(), h.host(), h.bodyLimit(), h.shutdownTimeoutSeconds(),
        h.instances(), "", h.idleTimeoutSeconds(), h.accessLog()), c.db(), c.dataDir(), c.adminToken(), c.masterKey(),
        c.logFormat(), c.jwt(), new AppConfig.Inbox(c.inbox().leaseSeconds(), c.inbox().maxQueued()),
        new AppConfig.Scheduler(200, 500, 32), c.cluster(), c.egress(), c.ciTrust(), c.retention(), c.outbox());
  }
}
