package org.stellaops.orchestrator.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The GitHub stand-in's body check refuses what GitHub's published schemas refuse, and only that. */
class GitHubRequestBodiesTest {

  @Test
  @DisplayName("the schemas say where they came from: the @octokit/openapi package and its version")
  void source() {
    assertThat(GitHubRequestBodies.source()).startsWith("npm package @octokit/openapi@");
  }

  @Test
  @DisplayName("a deployment status with null log_url or environment_url is refused, as GitHub answers 422")
  void nullUrlsRefused() {
    assertThat(GitHubRequestBodies.refusal("repos/create-deployment-status",
        new JsonObject().put("state", "success").put("log_url", (String) null))).isPresent();
    assertThat(GitHubRequestBodies.refusal("repos/create-deployment-status",
        new JsonObject().put("state", "success").putNull("environment_url"))).get().asString()
        .contains("environment_url");
    assertThat(GitHubRequestBodies.refusal("repos/create-deployment-status",
        new JsonObject().put("state", "success").put("log_url", "https://stella.example/api/v1/deployments/1")))
        .isEmpty();
  }

  @Test
  @DisplayName("a deployment state outside GitHub's enum (cancelled) and a missing state are refused")
  void stateEnum() {
    assertThat(GitHubRequestBodies.refusal("repos/create-deployment-status",
        new JsonObject().put("state", "cancelled"))).isPresent();
    assertThat(GitHubRequestBodies.refusal("repos/create-deployment-status", new JsonObject()))
        .contains("\"state\" wasn't supplied.");
    for (String state : new String[] {"error", "failure", "inactive", "in_progress", "queued", "pending", "success"}) {
      assertThat(GitHubRequestBodies.refusal("repos/create-deployment-status", new JsonObject().put("state", state)))
          .as(state).isEmpty();
    }
  }

  @Test
  @DisplayName("a deployment needs a ref; required_contexts must be an array of strings")
  void deployment() {
    assertThat(GitHubRequestBodies.refusal("repos/create-deployment", new JsonObject().put("environment", "qa")))
        .contains("\"ref\" wasn't supplied.");
    assertThat(GitHubRequestBodies.refusal("repos/create-deployment", new JsonObject().put("ref", "main")
        .put("required_contexts", "ci"))).isPresent();
    assertThat(GitHubRequestBodies.refusal("repos/create-deployment", new JsonObject().put("ref", "main")
        .put("required_contexts", new JsonArray()).put("auto_merge", false).put("description", (String) null)))
        .isEmpty();
  }
}
