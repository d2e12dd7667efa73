package org.stellaops.orchestrator.ci.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.support.FakeGitHub;
import org.stellaops.orchestrator.support.RecordingServer;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;

/**
 * A GitHub Enterprise Server as installed, with rate limiting off: {@code GET /rate_limit} answers 404 "Rate
 * limiting is not enabled." and no answer carries {@code x-ratelimit-*} headers
 * (https://docs.github.com/en/enterprise-server@3.14/rest/rate-limit/rate-limit).
 */
class GitHubEnterpriseServerTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  private static final String COMMIT = "89abcdef0123456789abcdef0123456789abcdef";
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass(TestGateway.FAST_SCHEDULER);
  @AutoClose
  static final FakeGitHub ghes = new FakeGitHub().enterpriseServer("3.14.0").repo("platform/api", "main")
      .workflow("platform/api", "release.yml");
  @AutoClose
  static final FakeGitHub dotcom = new FakeGitHub();
  @AutoClose
  static final RecordingServer target = RecordingServer.acceptingAll();

  private static String ciIntegration(String name, FakeGitHub github) {
    Resp r = gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "ci.github").put("name", name)
        .put("config", new JsonObject().put("endpoint", github.url()).put("pollIntervalSeconds", 1))
        .put("credentials", new JsonObject().put("token", FakeGitHub.TOKEN)));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.data().getString("id");
  }

  @Test
  @DisplayName("the connectivity check passes on a GitHub Enterprise Server whose /rate_limit answers 404, and says "
      + "no rate limit was reported")
  void checkOnEnterpriseServer() {
    String id = ciIntegration("ghes-check", ghes);

    Resp r = gw.post("/api/v1/integrations/" + id + "/test", ADMIN, "");

    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.data().getString("message"))
        .isEqualTo("token accepted by GitHub Enterprise Server 3.14.0; no rate limit reported");
    assertThat(ghes.requests()).contains("GET /meta").doesNotContain("GET /rate_limit");
  }

  @Test
  @DisplayName("the connectivity check on github.com reports the requests left from its rate-limit headers")
  void checkOnGitHubCom() {
    String id = ciIntegration("dotcom-check", dotcom);

    Resp r = gw.post("/api/v1/integrations/" + id + "/test", ADMIN, "");

    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.data().getString("message")).isEqualTo("token accepted by GitHub; 4999 requests left");
  }

  @Test
  @DisplayName("a promotion dispatches, waits for and reports a workflow on GitHub Enterprise Server although no "
      + "answer carries rate-limit headers")
  void promotionWithoutRateLimitHeaders() {
    String ci = ciIntegration("ghes-ci", ghes);
    gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "scm.github").put("name", "ghes-scm")
        .put("config", new JsonObject().put("webUrl", "https://ghes.example.internal")
            .put("apiUrl", ghes.url()))
        .put("credentials", new JsonObject().put("token", FakeGitHub.TOKEN)));
    JsonArray workflow = new JsonArray()
        .add(new JsonObject().put("id", "ci").put("type", "trigger-ci").put("config", new JsonObject()
            .put("integrationId", ci).put("pipelineId", "platform/api/release.yml").put("waitForCompletion", true)
            .put("timeout", 120)))
        .add(new JsonObject().put("id", "deploy").put("type", "deploy")
            .put("config", new JsonObject().put("url", target.url() + "/deploy")));
    Resp env = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", "ghes-prod")
        .put("requiredApprovals", 0).put("workflow", workflow));
    assertThat(env.status()).as(env.body()).isEqualTo(201);
    String component = gw.createComponent("ghes-api", "registry.example.com/platform/api").getString("id");
    Resp release = gw.post("/api/v1/releases", ADMIN, new JsonObject().put("name", "ghes-api-1")
        .put("components", new JsonArray().add(new JsonObject().put("componentId", component)
            .put("digest", "sha256:" + "c".repeat(64))))
        .put("sourceRef", new JsonObject().put("type", "git").put("repository", "https://ghes.example.internal/platform/api")
            .put("commit", COMMIT).put("branch", "main")));
    assertThat(release.status()).as(release.body()).isEqualTo(201);
    Resp promotion = gw.post("/api/v1/promotions", ADMIN, new JsonObject()
        .put("releaseId", release.data().getString("id")).put("targetEnvironmentId", env.data().getString("id")));
    assertThat(promotion.status()).as(promotion.body()).isEqualTo(201);
    String id = promotion.data().getString("id");

    await().atMost(Duration.ofSeconds(20)).until(() -> "deployed".equals(
        gw.get("/api/v1/promotions/" + id, ADMIN).data().getString("status")));
    assertThat(ghes.dispatches()).extracting(FakeGitHub.Dispatch::ref).containsExactly("main");
    await().atMost(Duration.ofSeconds(20)).until(() -> ghes.deploymentStatuses().size() >= 2);
    assertThat(ghes.deploymentStatuses()).extracting(s -> s.getString("state")).containsExactly("in_progress", "success");
    assertThat(ghes.refusals()).isEmpty();
  }
}
