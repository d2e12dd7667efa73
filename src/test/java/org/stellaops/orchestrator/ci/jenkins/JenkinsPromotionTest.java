package org.stellaops.orchestrator.ci.jenkins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.support.FakeJenkins;
import org.stellaops.orchestrator.support.RecordingServer;
import org.stellaops.orchestrator.support.Steps;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;

/**
 * Promotions whose trigger-ci step starts Jenkins jobs with and without parameters, against a Jenkins stand-in
 * that refuses the wrong endpoint as Jenkins does: every promotion adds the STELLA_* variables, and each still
 * reaches deployed.
 */
class JenkinsPromotionTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass(TestGateway.FAST_SCHEDULER);
  @AutoClose
  static final FakeJenkins jenkins = new FakeJenkins().job("deploy-app").job("smoke", "DEPLOY_ENV", "STELLA_ENVIRONMENT");
  @AutoClose
  static final RecordingServer target = RecordingServer.acceptingAll();
  private static String ci;
  private static String component;

  @BeforeAll
  static void start() {
    ci = gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "ci.jenkins").put("name", "jenkins")
        .put("config", new JsonObject().put("endpoint", jenkins.url()).put("pollIntervalSeconds", 1))
        .put("credentials", new JsonObject().put("username", FakeJenkins.USER).put("apiToken", FakeJenkins.API_TOKEN)))
        .data().getString("id");
    component = gw.createComponent("jenkins-app", "registry.example.com/myorg/jenkins-app").getString("id");
  }

  private static String promoteThrough(String name, JsonObject triggerConfig) {
    JsonArray workflow = new JsonArray().add(Steps.triggerCiAndWait(ci, triggerConfig))
        .add(Steps.deployTo(target.url() + "/deploy"));
    Resp env = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", name)
        .put("url", "https://" + name + ".example.com").put("requiredApprovals", 0).put("workflow", workflow));
    assertThat(env.status()).as(env.body()).isEqualTo(201);
    String release = gw.post("/api/v1/releases", ADMIN, new JsonObject().put("name", "jenkins-app-" + name)
        .put("components", new JsonArray().add(new JsonObject().put("componentId", component)
            .put("digest", "sha256:" + "e".repeat(64))))).data().getString("id");
    Resp promotion = gw.post("/api/v1/promotions", ADMIN, new JsonObject().put("releaseId", release)
        .put("targetEnvironmentId", env.data().getString("id")).put("reason", "test"));
    assertThat(promotion.status()).as(promotion.body()).isEqualTo(201);
    String id = promotion.data().getString("id");
    await().atMost(Duration.ofSeconds(20)).until(() -> !"deploying".equals(promotion(id).getString("status"))
        && !"pending".equals(promotion(id).getString("status")));
    return id;
  }

  private static JsonObject promotion(String id) {
    return gw.get("/api/v1/promotions/" + id, ADMIN).data();
  }

  @Test
  @DisplayName("a job without parameters is started with build (not buildWithParameters), and the run notes the STELLA_* variables it could not take")
  void jobWithoutParameters() {
    String id = promoteThrough("jenkins-plain", new JsonObject().put("pipelineId", "deploy-app"));

    JsonObject done = promotion(id);
    assertThat(done.getString("status")).as(done.encodePrettily()).isEqualTo("deployed");
    FakeJenkins.Build build = jenkins.builds().stream().filter(b -> b.job().equals("deploy-app")).findFirst().orElseThrow();
    assertThat(build.endpoint()).isEqualTo("build");
    assertThat(jenkins.refusals()).isZero();
    String notes = done.getJsonArray("steps").getJsonObject(0).getJsonObject("outputs").getJsonArray("notes").encode();
    assertThat(notes).contains("has no parameters", "STELLA_ENVIRONMENT", "STELLA_PROMOTION_ID", "STELLA_RELEASE_ID");
    assertThat(jenkins.userAgents()).isNotEmpty().allSatisfy(ua -> assertThat(ua).matches(
        "stella-release-orchestrator/\\d+\\.\\d+\\.\\d+.*"));
  }

  @Test
  @DisplayName("a parameterized job gets buildWithParameters with only the parameters it declares; the others are noted")
  void jobWithParameters() {
    String id = promoteThrough("jenkins-params", new JsonObject().put("pipelineId", "smoke")
        .put("variables", new JsonObject().put("DEPLOY_ENV", "staging").put("SUITE", "full")));

    JsonObject done = promotion(id);
    assertThat(done.getString("status")).as(done.encodePrettily()).isEqualTo("deployed");
    FakeJenkins.Build build = jenkins.builds().stream().filter(b -> b.job().equals("smoke")).findFirst().orElseThrow();
    assertThat(build.endpoint()).isEqualTo("buildWithParameters");
    assertThat(build.parameters()).isEqualTo(Map.of("DEPLOY_ENV", "staging", "STELLA_ENVIRONMENT", "jenkins-params"));
    assertThat(jenkins.refusals()).isZero();
    String notes = done.getJsonArray("steps").getJsonObject(0).getJsonObject("outputs").getJsonArray("notes").encode();
    assertThat(notes).contains("does not declare", "SUITE", "STELLA_RELEASE_ID").doesNotContain("DEPLOY_ENV");
  }
}
