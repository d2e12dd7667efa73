package org.stellaops.orchestrator.ciclients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.support.RecordingServer;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;

/**
 * The GitLab CI/CD component {@code integrations/gitlab/templates/create-release.yml}: its spec,
 * and its job's script run by {@code sh} and the machine's {@code curl} with GitLab's predefined
 * variables, against the real gateway.
 */
class GitLabComponentTest {

  private static final Path COMPONENT = Path.of("integrations/gitlab/templates/create-release.yml");
  private static final String DIGEST = "sha256:" + "0123456789abcdef".repeat(4);
  private static final String COMMIT = "89abcdef0123456789abcdef0123456789abcdef";

  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();
  private static String componentId;
  private static String ciToken;
  private final GitLabComponentRunner component = new GitLabComponentRunner(COMPONENT);

  @BeforeAll
  static void start() {
    componentId = gw.createComponent("myapp", "registry.example.com/myorg/myapp").getString("id");
    ciToken = gw.createServiceAccount(new JsonObject().put("name", "gitlab-ci")
        .put("roles", new JsonArray().add("release-creator"))).getString("token");
  }

  @Test
  @DisplayName("the spec requires stella-url, release-name and components, and defaults the stage, audience and a curl image")
  void specDeclaresTheInputs() {
    Map<String, Map<String, Object>> inputs = component.inputs();

    assertThat(inputs).containsOnlyKeys("job-name", "stage", "stella-url", "release-name", "components",
        "stella-audience", "image");
    assertThat(inputs.get("stella-url")).doesNotContainKey("default");
    assertThat(inputs.get("release-name")).doesNotContainKey("default");
    assertThat(inputs.get("components")).doesNotContainKey("default");
    assertThat(inputs.get("stage")).containsEntry("default", "deploy");
    assertThat(inputs.get("stella-audience")).containsEntry("default", "stella-gateway");
    assertThat((String) inputs.get("image").get("default")).startsWith("curlimages/curl:8.");
    inputs.values().forEach(definition -> assertThat(definition.get("type")).isIn(null, "string"));
  }

  @Test
  @DisplayName("a stella-url that is not https (or http to localhost) is refused when the pipeline is created")
  void stellaUrlMustBeHttps() {
    for (String url : List.of("stella.example.com; rm -rf /", "http://stella.example.com", "http://10.0.0.5:8080")) {
      Map<String, String> inputs = new HashMap<>(inputs("myapp", components(DIGEST)));
      inputs.put("stella-url", url);

      assertThatThrownBy(() -> component.interpolate(inputs)).as(url)
          .hasMessage("`stella-url` input: provided value does not match required RegEx pattern");
    }
  }

  @Test
  @DisplayName("the inputs become the job's name, stage, image, ID token audience and variables, and the dotenv report")
  void inputsAreInterpolatedIntoTheJob() {
    Map<String, Object> config = component.interpolate(inputs("myapp-$CI_COMMIT_TAG", components(DIGEST),
        Map.of("job-name", "release-myapp", "stage", "publish", "stella-audience", "https://stella.example.com")));

    assertThat(config).containsOnlyKeys("release-myapp");
    Map<String, Object> job = component.job(inputs("myapp-$CI_COMMIT_TAG", components(DIGEST),
        Map.of("stage", "publish", "stella-audience", "https://stella.example.com")));
    assertThat(job.get("stage")).isEqualTo("publish");
    assertThat(job.get("image")).isEqualTo(Map.of("name", "curlimages/curl:8.11.1", "entrypoint", List.of("")));
    assertThat(job.get("id_tokens")).isEqualTo(Map.of("STELLA_ID_TOKEN", Map.of("aud", "https://stella.example.com")));
    assertThat(job.get("variables")).isEqualTo(Map.of("GIT_STRATEGY", "none",
        "STELLA_INPUT_URL", gw.baseUrl(), "STELLA_INPUT_RELEASE_NAME", "myapp-$CI_COMMIT_TAG",
        "STELLA_INPUT_COMPONENTS", components(DIGEST)));
    assertThat(job.get("artifacts")).isEqualTo(Map.of("reports", Map.of("dotenv", "stella-release.env")));
  }

  @Test
  @DisplayName("a tag pipeline creates the release with the STELLA_TOKEN variable, sourceRef from the predefined variables, and STELLA_RELEASE_ID in the dotenv report")
  void tagPipelineCreatesTheRelease() {
    Map<String, String> ci = pipeline(1001, "v1.2.0", null);
    ci.put("STELLA_TOKEN", ciToken);
    // The ID token is there too (id_tokens is always minted); the CI/CD variable is preferred.
    ci.put("STELLA_ID_TOKEN", "an.id-token-the-gateway-does-not-trust.x");
    ci.put("IMAGE_DIGEST", DIGEST);

    GitLabComponentRunner.Run run = component.run(
        inputs("myapp-$CI_COMMIT_TAG", "[{\"componentId\": \"" + componentId + "\", \"digest\": \"$IMAGE_DIGEST\"}]"), ci);

    assertThat(run.exitCode()).as(run.log()).isZero();
    JsonObject release = gw.get("/api/v1/releases/by-name/myapp-v1.2.0", TestGateway.ADMIN_TOKEN).data();
    assertThat(run.file("stella-release.env")).isEqualTo("STELLA_RELEASE_ID=" + release.getString("id") + "\n");
    assertThat(release.getString("createdBy")).isEqualTo("service-account:gitlab-ci");
    assertThat(release.getJsonObject("sourceRef")).isEqualTo(new JsonObject().put("type", "git")
        .put("repository", "https://gitlab.example.com/myorg/myapp").put("commit", COMMIT).put("tag", "v1.2.0")
        .put("branch", null));
    assertThat(release.getJsonArray("components").getJsonObject(0).getString("digest")).isEqualTo(DIGEST);
    assertThat(release.getJsonObject("metadata")).isEqualTo(new JsonObject().put("ci", "gitlab")
        .put("project", "myorg/myapp").put("pipelineId", "1001")
        .put("pipelineUrl", "https://gitlab.example.com/myorg/myapp/-/pipelines/1001"));
    assertThat(run.log()).contains("created release " + release.getString("id")).doesNotContain(ciToken);
  }

  @Test
  @DisplayName("a retried job (new CI_JOB_ID, same pipeline and job name) gets the first attempt's release back, not a 409")
  void retriedJobGetsTheSameRelease() {
    Map<String, String> ci = pipeline(1002, null, "main");
    ci.put("STELLA_TOKEN", ciToken);
    Map<String, String> inputs = inputs("myapp-main-$CI_COMMIT_SHORT_SHA-$CI_PIPELINE_ID", components(DIGEST));

    GitLabComponentRunner.Run first = component.run(inputs, ci);
    ci.put("CI_JOB_ID", "5003");
    GitLabComponentRunner.Run retry = component.run(inputs, ci);

    assertThat(first.exitCode()).as(first.log()).isZero();
    assertThat(retry.exitCode()).as(retry.log()).isZero();
    assertThat(retry.file("stella-release.env")).isEqualTo(first.file("stella-release.env"));
    assertThat(retry.log()).contains("created by an earlier attempt of this job");
    JsonObject release = gw.get("/api/v1/releases/by-name/myapp-main-89abcdef-1002", TestGateway.ADMIN_TOKEN).data();
    assertThat(release.getJsonObject("sourceRef").getString("branch")).isEqualTo("main");
    assertThat(release.getJsonObject("sourceRef").getString("tag")).isNull();
  }

  @Test
  @DisplayName("a bad digest fails the job with the gateway's message and field, no dotenv report, and no token in the log")
  void badDigestFailsTheJob() {
    Map<String, String> ci = pipeline(1003, "v9.9.9", null);
    ci.put("STELLA_TOKEN", ciToken);

    GitLabComponentRunner.Run run = component.run(inputs("myapp-$CI_COMMIT_TAG", components("sha256:not-a-digest")), ci);

    assertThat(run.exitCode()).isNotZero();
    assertThat(run.log())
        .contains("the gateway refused the release (HTTP 400) VALIDATION_FAILED: ")
        .contains("\"field\":\"components[0].digest\"")
        .doesNotContain(ciToken);
    assertThat(run.file("stella-release.env")).isNull();
    assertThat(gw.get("/api/v1/releases/by-name/myapp-v9.9.9", TestGateway.ADMIN_TOKEN).status()).isEqualTo(404);
  }

  @Test
  @DisplayName("quotes, backslashes and $(...) in the release name and tag reach the gateway as text, never as JSON or shell")
  void hostileTextStaysText() {
    String tag = "v1\"x\\y$(touch pwned)";
    Map<String, String> ci = pipeline(1004, tag, null);
    ci.put("STELLA_TOKEN", ciToken);

    GitLabComponentRunner.Run run = component.run(inputs("myapp \"$CI_COMMIT_TAG\" `id`", components(DIGEST)), ci);

    assertThat(run.exitCode()).as(run.log()).isZero();
    String id = run.file("stella-release.env").trim().substring("STELLA_RELEASE_ID=".length());
    JsonObject release = gw.get("/api/v1/releases/" + id, TestGateway.ADMIN_TOKEN).data();
    assertThat(release.getString("name")).isEqualTo("myapp \"" + tag + "\" `id`");
    assertThat(release.getJsonObject("sourceRef").getString("tag")).isEqualTo(tag);
    assertThat(run.projectDir().resolve("pwned")).doesNotExist();
  }

  @Test
  @DisplayName("without STELLA_TOKEN the job sends exactly one POST /api/v1/releases with Bearer <the job's ID token>")
  void idTokenIsTheBearerWithoutStellaToken() {
    String releaseId = UUID.randomUUID().toString();
    try (RecordingServer gateway = new RecordingServer(r -> new RecordingServer.Answer(201,
        new JsonObject().put("success", true).put("data", new JsonObject().put("id", releaseId).put("name", "myapp-v2.0.0"))
            .put("meta", new JsonObject().put("requestId", "r-1")).encode()))) {
      Map<String, String> ci = pipeline(1005, "v2.0.0", null);
      String idToken = "eyJhbGciOiJSUzI1NiJ9.eyJwcm9qZWN0X3BhdGgiOiJteW9yZy9teWFwcCJ9.c2lnbmF0dXJl";
      ci.put("STELLA_ID_TOKEN", idToken);
      Map<String, String> inputs = new HashMap<>(inputs("myapp-$CI_COMMIT_TAG", components(DIGEST)));
      inputs.put("stella-url", gateway.url() + "/");

      GitLabComponentRunner.Run run = component.run(inputs, ci);

      assertThat(run.exitCode()).as(run.log()).isZero();
      assertThat(run.log()).contains("authenticating with the job's ID token").doesNotContain(idToken);
      assertThat(run.file("stella-release.env")).isEqualTo("STELLA_RELEASE_ID=" + releaseId + "\n");
      assertThat(gateway.requests()).hasSize(1);
      RecordingServer.Request request = gateway.requests().get(0);
      assertThat(request.method()).isEqualTo("POST");
      assertThat(request.path()).isEqualTo("/api/v1/releases");
      assertThat(request.headers().getString("authorization")).isEqualTo("Bearer " + idToken);
      assertThat(request.headers().getString("content-type")).isEqualTo("application/json");
      // sha256("stella-create-release"), the job's default name, cut to 32 hex characters.
      assertThat(request.headers().getString("idempotency-key"))
          .isEqualTo("gitlab-1005-" + sha256Hex("stella-create-release").substring(0, 32));
      assertThat(request.json()).isEqualTo(new JsonObject()
          .put("name", "myapp-v2.0.0")
          .put("components", new JsonArray().add(new JsonObject().put("componentId", componentId).put("digest", DIGEST)))
          .put("sourceRef", new JsonObject().put("type", "git").put("repository", "https://gitlab.example.com/myorg/myapp")
              .put("commit", COMMIT).put("tag", "v2.0.0"))
          .put("metadata", new JsonObject().put("ci", "gitlab").put("project", "myorg/myapp").put("pipelineId", "1005")
              .put("pipelineUrl", "https://gitlab.example.com/myorg/myapp/-/pipelines/1005")));
    }
  }

  @Test
  @DisplayName("with neither STELLA_TOKEN nor an ID token the job fails before sending anything")
  void noTokenFailsTheJob() {
    GitLabComponentRunner.Run run = component.run(inputs("myapp-$CI_COMMIT_TAG", components(DIGEST)),
        pipeline(1006, "v3.0.0", null));

    assertThat(run.exitCode()).isNotZero();
    assertThat(run.log()).contains("no STELLA_TOKEN variable and no STELLA_ID_TOKEN ID token");
    assertThat(gw.get("/api/v1/releases/by-name/myapp-v3.0.0", TestGateway.ADMIN_TOKEN).status()).isEqualTo(404);
  }

  private static Map<String, String> inputs(String releaseName, String components) {
    return inputs(releaseName, components, Map.of());
  }

  private static Map<String, String> inputs(String releaseName, String components, Map<String, String> more) {
    Map<String, String> inputs = new HashMap<>(more);
    inputs.put("stella-url", gw.baseUrl());
    inputs.put("release-name", releaseName);
    inputs.put("components", components);
    return inputs;
  }

  private static String components(String digest) {
    return "[{\"componentId\": \"" + componentId + "\", \"digest\": \"" + digest + "\"}]";
  }

  /**
   * GitLab's predefined variables for a tag or branch pipeline
   * (https://docs.gitlab.com/ci/variables/predefined_variables/): CI_COMMIT_TAG only in tag
   * pipelines, CI_COMMIT_BRANCH only in branch pipelines.
   */
  private static Map<String, String> pipeline(long pipelineId, String tag, String branch) {
    Map<String, String> ci = new HashMap<>();
    ci.put("CI", "true");
    ci.put("GITLAB_CI", "true");
    ci.put("CI_SERVER_URL", "https://gitlab.example.com");
    ci.put("CI_PROJECT_URL", "https://gitlab.example.com/myorg/myapp");
    ci.put("CI_PROJECT_PATH", "myorg/myapp");
    ci.put("CI_PROJECT_NAME", "myapp");
    ci.put("CI_COMMIT_SHA", COMMIT);
    ci.put("CI_COMMIT_SHORT_SHA", COMMIT.substring(0, 8));
    ci.put("CI_COMMIT_REF_NAME", tag != null ? tag : branch);
    if (tag != null) {
      ci.put("CI_COMMIT_TAG", tag);
    }
    if (branch != null) {
      ci.put("CI_COMMIT_BRANCH", branch);
    }
    ci.put("CI_PIPELINE_ID", String.valueOf(pipelineId));
    ci.put("CI_PIPELINE_URL", "https://gitlab.example.com/myorg/myapp/-/pipelines/" + pipelineId);
    ci.put("CI_JOB_ID", "5001");
    ci.put("CI_JOB_NAME", "stella-create-release");
    return ci;
  }

  private static String sha256Hex(String s) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
