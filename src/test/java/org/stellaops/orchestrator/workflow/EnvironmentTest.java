package org.stellaops.orchestrator.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;

/** Environments and the validation of their workflows, through the real API. */
class EnvironmentTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();
  private static String gitlab;

  @BeforeAll
  static void start() {
    gitlab = gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "ci.gitlab").put("name", "gitlab")
        .put("config", new JsonObject().put("endpoint", "https://gitlab.example.com"))).data().getString("id");
  }

  /** A staging workflow: trigger integration tests, wait for them, deploy. */
  private static JsonArray pattern2() {
    return new JsonArray()
        .add(new JsonObject().put("id", "tests").put("type", "trigger-ci").put("config", new JsonObject()
            .put("integrationId", gitlab).put("pipelineId", "myorg/integration-tests").put("waitForCompletion", false)
            .put("variables", new JsonObject().put("SUITE", "smoke"))))
        .add(new JsonObject().put("id", "wait").put("type", "wait-ci")
            .put("inputs", new JsonObject().put("runId", "tests.pipelineRunId"))
            .put("config", new JsonObject().put("integrationId", gitlab).put("runIdInput", "runId")
                .put("timeout", 1800).put("failOnError", true)))
        .add(new JsonObject().put("id", "approve").put("type", "approval"))
        .add(new JsonObject().put("id", "deploy").put("type", "deploy")
            .put("config", new JsonObject().put("url", "https://deployer.example.com/deploy").put("timeout", 600)));
  }

  private static List<String> fields(Resp r) {
    return r.error().getJsonArray("validationErrors").stream().map(e -> ((JsonObject) e).getString("field")).toList();
  }

  @Test
  @DisplayName("an environment with a trigger-ci / wait-ci / deploy workflow is saved and read back")
  void createAndRead() {
    Resp r = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", "staging").put("displayName", "Staging")
        .put("orderIndex", 1).put("url", "https://staging.example.com").put("requiredApprovals", 1)
        .put("freezeWindows", new JsonArray().add(new JsonObject().put("start", "2026-12-24T00:00:00Z")
            .put("end", "2026-12-27T00:00:00Z").put("reason", "holidays")))
        .put("workflow", pattern2()));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    JsonObject env = gw.get("/api/v1/environments/" + r.data().getString("id"), ADMIN).data();
    assertThat(env.getJsonArray("workflow")).isEqualTo(pattern2());
    assertThat(env.getInteger("requiredApprovals")).isEqualTo(1);
    assertThat(gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", "staging")).status()).isEqualTo(409);
  }

  @Test
  @DisplayName("a trigger-ci step's pipeline variables are shown only to integration:update holders")
  void variablesNeedIntegrationUpdate() {
    Resp r = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", "variables-hidden")
        .put("workflow", pattern2()));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    String viewer = gw.createServiceAccount(new JsonObject().put("name", "env-viewer")
        .put("roles", new JsonArray().add("viewer"))).getString("token");
    String id = r.data().getString("id");
    JsonObject seen = gw.get("/api/v1/environments/" + id, viewer).data();
    assertThat(seen.getJsonArray("workflow").getJsonObject(0).getJsonObject("config").getJsonObject("variables"))
        .isEqualTo(new JsonObject().put("SUITE", "***"));
    assertThat(gw.get("/api/v1/environments", viewer).body()).doesNotContain("smoke");
    assertThat(gw.get("/api/v1/environments/" + id, ADMIN).data().getJsonArray("workflow").getJsonObject(0)
        .getJsonObject("config").getJsonObject("variables").getString("SUITE")).isEqualTo("smoke");

    // An operator (no integration:update) reads the workflow and saves it back: the value is kept.
    String operator = gw.createServiceAccount(new JsonObject().put("name", "env-operator")
        .put("roles", new JsonArray().add("operator"))).getString("token");
    JsonArray readBack = gw.get("/api/v1/environments/" + id, operator).data().getJsonArray("workflow");
    readBack.getJsonObject(0).getJsonObject("config").put("pipelineId", "myorg/other-tests");
    Resp saved = gw.patch("/api/v1/environments/" + id, operator, new JsonObject().put("workflow", readBack));
    assertThat(saved.status()).as(saved.body()).isEqualTo(200);
    assertThat(gw.get("/api/v1/environments/" + id, ADMIN).data().getJsonArray("workflow").getJsonObject(0)
        .getJsonObject("config").getJsonObject("variables").getString("SUITE")).isEqualTo("smoke");
  }

  @Test
  @DisplayName("a workflow with unknown types, missing config and inputs naming later steps lists each problem")
  void invalidWorkflow() {
    JsonArray workflow = new JsonArray()
        .add(new JsonObject().put("id", "wait").put("type", "wait-ci")
            .put("inputs", new JsonObject().put("runId", "tests.pipelineRunId"))
            .put("config", new JsonObject().put("integrationId", gitlab).put("runIdInput", "runId")))
        .add(new JsonObject().put("id", "tests").put("type", "trigger-ci")
            .put("config", new JsonObject().put("pipelineId", "x")))
        .add(new JsonObject().put("id", "tests").put("type", "teleport"))
        .add(new JsonObject().put("id", "deploy").put("type", "deploy"))
        .add(new JsonObject().put("id", "check").put("type", "http")
            .put("inputs", new JsonObject().put("s", "tests.nothing"))
            .put("config", new JsonObject().put("url", "ftp://x").put("expectedStatus", 999)));
    Resp r = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", "broken").put("workflow", workflow));
    assertThat(r.status()).isEqualTo(400);
    assertThat(fields(r)).containsExactlyInAnyOrder(
        "workflow[0].config.timeout",
        "workflow[0].config.failOnError",
        "workflow[1].config.integrationId",
        "workflow[1].config.waitForCompletion",
        "workflow[2].type",
        "workflow[3].config",
        "workflow[4].config.url",
        "workflow[4].config.expectedStatus");

    // Once each step meets the description, the rules between steps are checked.
    JsonArray wellFormed = new JsonArray()
        .add(new JsonObject().put("id", "wait").put("type", "wait-ci")
            .put("inputs", new JsonObject().put("runId", "tests.pipelineRunId"))
            .put("config", new JsonObject().put("integrationId", gitlab).put("runIdInput", "runId")
                .put("timeout", 60).put("failOnError", true)))
        .add(new JsonObject().put("id", "tests").put("type", "trigger-ci")
            .put("config", new JsonObject().put("integrationId", gitlab).put("pipelineId", "x")
                .put("waitForCompletion", true)))
        .add(new JsonObject().put("id", "tests").put("type", "approval"))
        .add(new JsonObject().put("id", "check").put("type", "http")
            .put("inputs", new JsonObject().put("s", "tests.nothing"))
            .put("config", new JsonObject().put("url", "https://deploy.example.com/check")));
    Resp rules = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", "broken")
        .put("workflow", wellFormed));
    assertThat(rules.status()).isEqualTo(400);
    assertThat(fields(rules)).containsExactlyInAnyOrder("workflow[0].inputs.runId", "workflow[2].id",
        "workflow[3].inputs.s");
  }

  @Test
  @DisplayName("references to integrations and environments that do not exist are 422s")
  void unknownReferences() {
    JsonArray workflow = new JsonArray().add(new JsonObject().put("id", "t").put("type", "trigger-ci")
        .put("config", new JsonObject().put("integrationId", "7b0c1b8e-2f7e-4a11-9c55-0d7c9a3e5b21")
            .put("pipelineId", "x").put("waitForCompletion", true)));
    Resp r = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", "dangling").put("workflow", workflow)
        .put("autoPromoteFrom", "3c7e1f0a-0000-4000-8000-000000000000"));
    assertThat(r.status()).isEqualTo(422);
    assertThat(r.error().getJsonArray("validationErrors")).hasSize(2);
  }

  @Test
  @DisplayName("PATCH replaces the fields sent; an environment others auto-promote from cannot be deleted")
  void patchAndDelete() {
    String dev = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", "dev")).data().getString("id");
    String qa = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", "qa").put("orderIndex", 2)
        .put("autoPromote", true).put("autoPromoteFrom", dev)).data().getString("id");
    Resp patched = gw.patch("/api/v1/environments/" + qa, ADMIN, new JsonObject().put("requiredApprovals", 2)
        .put("workflow", new JsonArray().add(new JsonObject().put("id", "ok").put("type", "approval"))));
    assertThat(patched.status()).isEqualTo(200);
    assertThat(patched.data().getString("autoPromoteFrom")).isEqualTo(dev);
    assertThat(patched.data().getJsonArray("workflow")).hasSize(1);
    assertThat(gw.patch("/api/v1/environments/" + qa, ADMIN, new JsonObject().put("autoPromoteFrom", qa)).status())
        .isEqualTo(422);
    assertThat(gw.delete("/api/v1/environments/" + dev, ADMIN).status()).isEqualTo(409);
    assertThat(gw.delete("/api/v1/environments/" + qa, ADMIN).status()).isEqualTo(204);
    assertThat(gw.delete("/api/v1/environments/" + dev, ADMIN).status()).isEqualTo(204);
    List<String> names = gw.get("/api/v1/environments", ADMIN).json().getJsonArray("data").stream()
        .map(e -> ((JsonObject) e).getString("name")).toList();
    assertThat(names).doesNotContain("dev", "qa");
  }
}
