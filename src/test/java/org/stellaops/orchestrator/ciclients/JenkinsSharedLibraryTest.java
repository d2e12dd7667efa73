package org.stellaops.orchestrator.ciclients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.support.TestGateway;

/**
 * The Jenkins shared library step {@code integrations/jenkins/vars/stellaCreateRelease.groovy},
 * run by Groovy with the Pipeline steps it uses stubbed at their documented contracts, its
 * {@code httpRequest} really sent to the real gateway.
 */
class JenkinsSharedLibraryTest {

  private static final Path STEP = Path.of("integrations/jenkins/vars/stellaCreateRelease.groovy");
  private static final String DIGEST = "sha256:" + "fedcba9876543210".repeat(4);
  private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();
  private static String componentId;
  private static String ciToken;
  /** The Secret text credential the step is given; the stub binds the CI token under it. */
  private static final String CREDENTIALS_ID = "stella-ci-token";

  @BeforeAll
  static void start() {
    componentId = gw.createComponent("myapp", "registry.example.com/myorg/myapp").getString("id");
    ciToken = gw.createServiceAccount(new JsonObject().put("name", "jenkins-ci")
        .put("roles", new JsonArray().add("release-creator"))).getString("token");
  }

  @Test
  @DisplayName("a tag build sends one POST with the bearer masked, the default idempotency key and sourceRef from the Git plugin's variables, and returns the release")
  void tagBuildCreatesTheRelease() {
    JenkinsStepRunner jenkins = build(42);
    jenkins.env.put("TAG_NAME", "v1.2.0");
    jenkins.env.put("BRANCH_NAME", "v1.2.0");

    @SuppressWarnings("unchecked")
    Map<String, Object> release = (Map<String, Object>) jenkins.call(args("myapp-v1.2.0", DIGEST, gw.baseUrl() + "/"));

    assertThat(jenkins.httpRequests).hasSize(1);
    Map<String, Object> request = new HashMap<>(jenkins.httpRequests.get(0));
    JsonObject body = new JsonObject(String.valueOf(request.remove("requestBody")));
    assertThat(request).isEqualTo(Map.of(
        "httpMode", "POST",
        "url", gw.baseUrl() + "/api/v1/releases",
        "contentType", "APPLICATION_JSON",
        "customHeaders", List.of(
            Map.of("name", "Authorization", "value", "Bearer " + ciToken, "maskValue", true),
            Map.of("name", "Idempotency-Key", "value", "folder/myapp-42")),
        "validResponseCodes", "100:599",
        "consoleLogResponseBody", false,
        "quiet", true));
    assertThat(body).isEqualTo(new JsonObject()
        .put("name", "myapp-v1.2.0")
        .put("components", new JsonArray().add(new JsonObject().put("componentId", componentId).put("digest", DIGEST)))
        .put("sourceRef", new JsonObject().put("type", "git").put("repository", "https://git.example.com/myorg/myapp.git")
            .put("commit", COMMIT).put("tag", "v1.2.0"))
        .put("metadata", new JsonObject().put("ci", "jenkins").put("job", "folder/myapp").put("buildNumber", "42")
            .put("buildUrl", "https://jenkins.example.com/job/folder/job/myapp/42/")));
    assertThat(jenkins.credentialsBoundDuringRequest).containsExactly(true);

    JsonObject stored = gw.get("/api/v1/releases/by-name/myapp-v1.2.0", TestGateway.ADMIN_TOKEN).data();
    assertThat(release).containsEntry("id", stored.getString("id")).containsEntry("name", "myapp-v1.2.0");
    assertThat(stored.getString("createdBy")).isEqualTo("service-account:jenkins-ci");
    assertThat(stored.getJsonObject("sourceRef").getString("tag")).isEqualTo("v1.2.0");
    assertThat(jenkins.log).containsExactly("stellaCreateRelease: release myapp-v1.2.0 is " + stored.getString("id"));
    assertThat(jenkins.env).doesNotContainValue(ciToken);
  }

  @Test
  @DisplayName("the step run again in the same build gets the first release back, not a 409 on the name")
  void sameBuildGetsTheSameRelease() {
    JenkinsStepRunner jenkins = build(43);
    jenkins.env.put("BRANCH_NAME", "main");

    Object first = jenkins.call(args("myapp-main-43", DIGEST, gw.baseUrl()));
    Object again = jenkins.call(args("myapp-main-43", DIGEST, gw.baseUrl()));

    assertThat(again).isEqualTo(first);
    JsonObject stored = gw.get("/api/v1/releases/by-name/myapp-main-43", TestGateway.ADMIN_TOKEN).data();
    assertThat(stored.getJsonObject("sourceRef").getString("branch")).isEqualTo("main");
  }

  @Test
  @DisplayName("a refused release fails the step with the envelope's code, message and every invalid field")
  void refusalRaisesTheGatewaysMessage() {
    JenkinsStepRunner jenkins = build(44);

    assertThatThrownBy(() -> jenkins.call(args("myapp-bad", "sha256:nope", gw.baseUrl())))
        .isInstanceOf(JenkinsStepRunner.PipelineError.class)
        .hasMessageStartingWith("stellaCreateRelease: the gateway refused release 'myapp-bad' (HTTP 400 VALIDATION_FAILED): ")
        .hasMessageContaining("\n  components[0].digest: ")
        .hasMessageNotContaining(ciToken);
    assertThat(gw.get("/api/v1/releases/by-name/myapp-bad", TestGateway.ADMIN_TOKEN).status()).isEqualTo(404);
  }

  @Test
  @DisplayName("an unknown component is a 422 whose message names it in the build's error")
  void unknownComponentRaisesTheGatewaysMessage() {
    JenkinsStepRunner jenkins = build(45);
    Map<String, Object> args = args("myapp-unknown", DIGEST, gw.baseUrl());
    args.put("components", List.of(Map.of("componentId", "no-such-component", "digest", DIGEST)));

    assertThatThrownBy(() -> jenkins.call(args))
        .hasMessageStartingWith("stellaCreateRelease: the gateway refused release 'myapp-unknown' (HTTP 422 ")
        .hasMessageContaining("no-such-component");
  }

  @Test
  @DisplayName("a build without a Git checkout sends no sourceRef; an explicit sourceRef, key and a name with quotes and backslashes are sent as given")
  void sourceRefAndKeyCanBeGiven() {
    JenkinsStepRunner jenkins = build(46);
    jenkins.env.remove("GIT_URL");
    jenkins.env.remove("GIT_COMMIT");

    jenkins.call(args("myapp-nogit", DIGEST, gw.baseUrl()));
    Map<String, Object> args = args("myapp-\"given\" \\ ${x}", DIGEST, gw.baseUrl());
    args.put("sourceRef", Map.of("type", "git", "repository", "https://git.example.com/other.git", "commit", "abcdef1"));
    args.put("idempotencyKey", "release-given");
    Map<?, ?> release = (Map<?, ?>) jenkins.call(args);

    assertThat(new JsonObject(String.valueOf(jenkins.httpRequests.get(0).get("requestBody"))).containsKey("sourceRef")).isFalse();
    assertThat(jenkins.httpRequests.get(1).get("customHeaders")).asList()
        .contains(Map.of("name", "Idempotency-Key", "value", "release-given"));
    JsonObject given = gw.get("/api/v1/releases/" + release.get("id"), TestGateway.ADMIN_TOKEN).data();
    assertThat(given.getString("name")).isEqualTo("myapp-\"given\" \\ ${x}");
    assertThat(given.getJsonObject("sourceRef").getString("repository")).isEqualTo("https://git.example.com/other.git");
  }

  @Test
  @DisplayName("a missing name, empty components or a plain-http url to another host fails the step before any request")
  void missingArgumentsFailBeforeSending() {
    JenkinsStepRunner jenkins = build(47);
    Map<String, Object> noName = args("x", DIGEST, gw.baseUrl());
    noName.remove("name");
    Map<String, Object> noComponents = args("x", DIGEST, gw.baseUrl());
    noComponents.put("components", List.of());

    assertThatThrownBy(() -> jenkins.call(noName)).hasMessage("stellaCreateRelease: name is required");
    assertThatThrownBy(() -> jenkins.call(noComponents)).hasMessageStartingWith("stellaCreateRelease: components must be");
    assertThatThrownBy(() -> jenkins.call(args("x", DIGEST, "http://stella.example.com")))
        .hasMessageStartingWith("stellaCreateRelease: url must be https://");
    assertThat(jenkins.httpRequests).isEmpty();
  }

  /** A build of job folder/myapp with the Git plugin's variables (https://plugins.jenkins.io/git/#plugin-content-environment-variables). */
  private static JenkinsStepRunner build(int number) {
    JenkinsStepRunner jenkins = new JenkinsStepRunner(STEP);
    jenkins.credentials.put(CREDENTIALS_ID, ciToken);
    jenkins.env.put("JOB_NAME", "folder/myapp");
    jenkins.env.put("BUILD_NUMBER", String.valueOf(number));
    jenkins.env.put("BUILD_URL", "https://jenkins.example.com/job/folder/job/myapp/" + number + "/");
    jenkins.env.put("GIT_URL", "https://git.example.com/myorg/myapp.git");
    jenkins.env.put("GIT_COMMIT", COMMIT);
    return jenkins;
  }

  private static Map<String, Object> args(String name, String digest, String url) {
    Map<String, Object> args = new HashMap<>();
    args.put("url", url);
    args.put("credentialsId", CREDENTIALS_ID);
    args.put("name", name);
    args.put("components", List.of(Map.of("componentId", componentId, "digest", digest)));
    return args;
  }
}
