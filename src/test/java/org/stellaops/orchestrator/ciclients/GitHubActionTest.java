package org.stellaops.orchestrator.ciclients;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.support.FakeOidcIssuer;
import org.stellaops.orchestrator.support.TestGateway;

/**
 * Drives the GitHub Action in {@code integrations/github-action}: its node tests run the
 * committed bundle ({@code node dist/index.js}, as a runner does) against this real gateway,
 * with a service-account token, a component and a local OIDC issuer that also plays the
 * runner's ID-token endpoint. Each node test is checked here by name, so a test that is
 * renamed, skipped or missing fails the build as surely as one that fails.
 *
 * <p>{@code node} and {@code npm} are required (CI's {@code .ci/run} installs them): without
 * them this fails rather than skips. {@code npm ci} runs only when {@code node_modules} is
 * missing or older than {@code package-lock.json}.
 */
@DisplayName("The GitHub Action creates releases in the real gateway")
class GitHubActionTest {

  private static final Path ACTION_DIR = Path.of(System.getProperty("user.dir"), "integrations", "github-action");
  private static final String AUDIENCE = "stella-gateway";
  private static final String REPOSITORY = "myorg/myapp";
  private static final String SHA = "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3";

  /** The node tests this class expects to pass. */
  private static final List<String> EXPECTED = List.of(
      "the documented workflow's inputs create the release and set release-id, release-name and release-url",
      "a release the gateway refuses fails the step with the gateway message and every validation error",
      "the same idempotency key gives back the same release",
      "two releases created with the same idempotency key but different names are both created",
      "stella-token is masked before anything else is written",
      "without stella-token the job OIDC token creates the release through a CI trust policy",
      "an OIDC job naming another commit fails the step showing the commit its token is bound to",
      "without stella-token and without id-token permission the step fails saying what to add",
      "inputs the gateway could not take fail the step before anything is sent",
      "a gateway that cannot be reached fails the step naming the address",
      "a redirect is not followed, so the token reaches only stella-url",
      "the committed dist/index.js is the bundle npm run build makes from the sources");

  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();
  private static FakeOidcIssuer issuer;
  private static NodeRun run;

  @BeforeAll
  static void runTheActionTests() throws Exception {
    issuer = new FakeOidcIssuer();
    // Without an audience in the request the runner's token carries GitHub's default, the
    // owner's URL (https://docs.github.com/en/actions/reference/security/oidc), which the
    // trust policy does not accept: only the requested stella-audience does.
    issuer.runnerClaims(issuer.githubClaims(REPOSITORY, SHA, "refs/tags/v1.2.0", "https://github.com/myorg"));
    String token = gw.createServiceAccount(new JsonObject()
        .put("name", "ci-pipeline")
        .put("roles", new JsonArray().add("release-creator"))
        .put("permissions", new JsonArray()
            .add(new JsonObject().put("resource", "release").put("action", "create"))
            .add(new JsonObject().put("resource", "component").put("action", "read"))
            .add(new JsonObject().put("resource", "version-map").put("action", "read")))
        .put("expiresIn", "365d")).getString("token");
    String componentId = gw.createComponent("myapp", "registry.example.com/myorg/myapp").getString("id");

    if (!Files.exists(ACTION_DIR.resolve("node_modules/.package-lock.json"))
        || Files.getLastModifiedTime(ACTION_DIR.resolve("node_modules/.package-lock.json"))
            .compareTo(Files.getLastModifiedTime(ACTION_DIR.resolve("package-lock.json"))) < 0) {
      NodeRun install = NodeRun.of(Map.of(), 600, "npm", "ci");
      assertThat(install.exitCode()).as("npm ci\n%s", install.output()).isZero();
    }
    Map<String, String> env = new LinkedHashMap<>();
    env.put("STELLA_TEST_URL", gw.baseUrl());
    env.put("STELLA_TEST_TOKEN", token);
    env.put("STELLA_TEST_ADMIN_TOKEN", TestGateway.ADMIN_TOKEN);
    env.put("STELLA_TEST_COMPONENT_ID", componentId);
    env.put("STELLA_TEST_OIDC_ISSUER", issuer.issuer());
    env.put("STELLA_TEST_OIDC_REQUEST_URL", issuer.runnerRequestUrl());
    env.put("STELLA_TEST_OIDC_REQUEST_TOKEN", FakeOidcIssuer.RUNNER_REQUEST_TOKEN);
    env.put("STELLA_TEST_OIDC_AUDIENCE", AUDIENCE);
    env.put("STELLA_TEST_OIDC_SERVER_URL", issuer.issuer());
    env.put("STELLA_TEST_OIDC_REPOSITORY", REPOSITORY);
    env.put("STELLA_TEST_OIDC_SHA", SHA);
    run = NodeRun.of(env, 300, "npm", "test");
    System.out.println(run.output());
  }

  @AfterAll
  static void stop() {
    if (issuer != null) {
      issuer.close();
    }
  }

  @Test
  @DisplayName("npm test exits 0 and runs exactly the expected node tests")
  void nodeRunSucceeds() {
    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.results()).as(run.output()).doesNotContainValue(Result.FAILED);
    assertThat(run.results().keySet()).as(run.output()).containsExactlyInAnyOrderElementsOf(EXPECTED);
  }

  @TestFactory
  @DisplayName("each expected node test passed")
  Stream<DynamicTest> eachExpectedTestPassed() {
    return EXPECTED.stream().map(name -> DynamicTest.dynamicTest(name, () ->
        assertThat(run.results().get(name)).as("%s\n%s", name, run.output()).isEqualTo(Result.PASSED)));
  }

  enum Result { PASSED, FAILED, SKIPPED }

  /** One finished node/npm command: exit code, merged output, and the TAP results by test name. */
  record NodeRun(int exitCode, String output, Map<String, Result> results) {

    // TAP 13 test points as node's tap reporter writes them: "ok 3 - name # SKIP reason".
    // https://testanything.org/tap-version-13-specification.html
    private static final Pattern TEST_POINT =
        Pattern.compile("^(not ok|ok) \\d+ - (.*?)(?: # (SKIP|TODO)\\b.*)?$", Pattern.MULTILINE);

    static NodeRun of(Map<String, String> env, long timeoutSeconds, String... command)
        throws IOException, InterruptedException {
      File log = File.createTempFile("github-action-", ".log");
      try {
        ProcessBuilder builder = new ProcessBuilder(command).directory(ACTION_DIR.toFile())
            .redirectErrorStream(true).redirectOutput(log);
        builder.environment().putAll(env);
        Process process;
        try {
          process = builder.start();
        } catch (IOException e) {
          throw new IllegalStateException(command[0] + " is required (apt-get install nodejs npm; .ci/run does it)", e);
        }
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly().waitFor();
          throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutSeconds
              + " s:\n" + Files.readString(log.toPath(), StandardCharsets.UTF_8));
        }
        String output = Files.readString(log.toPath(), StandardCharsets.UTF_8);
        return new NodeRun(process.exitValue(), output, results(output));
      } finally {
        Files.deleteIfExists(log.toPath());
      }
    }

    /** Top-level test points only: node indents subtests, and these tests have none. */
    static Map<String, Result> results(String tap) {
      Map<String, Result> results = new LinkedHashMap<>();
      Matcher m = TEST_POINT.matcher(tap);
      while (m.find()) {
        Result result = m.group(3) != null ? Result.SKIPPED
            : m.group(1).equals("ok") ? Result.PASSED : Result.FAILED;
        results.put(m.group(2), result);
      }
      return results;
    }
  }
}
