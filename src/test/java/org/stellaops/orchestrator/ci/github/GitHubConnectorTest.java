package org.stellaops.orchestrator.ci.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.stellaops.orchestrator.ci.FakeVendor.Async.failure;
import static org.stellaops.orchestrator.ci.FakeVendor.Async.result;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.stellaops.orchestrator.ci.CiConnector.RunRef;
import org.stellaops.orchestrator.ci.CiException;
import org.stellaops.orchestrator.ci.FakeVendor;
import org.stellaops.orchestrator.ci.FakeVendor.Recorded;
import org.stellaops.orchestrator.ci.FakeVendor.Reply;
import org.stellaops.orchestrator.ci.PollResult;
import org.stellaops.orchestrator.ci.VendorRun;
import org.stellaops.orchestrator.integration.IntegrationType;
import org.stellaops.orchestrator.integration.ResolvedIntegration;

class GitHubConnectorTest {

  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  static final Instant TRIGGERED = Instant.parse("2026-03-01T11:59:30Z");
  static final String TOKEN = "ghp_secret_token";
  static final String WORKFLOW = "/repos/myorg/myapp/actions/workflows/release.yml";
  static final String RUN_PATH = "/repos/myorg/myapp/actions/runs/999";
  static final String HTML_URL = "https://github.com/myorg/myapp/actions/runs/999";
  static final RunRef RUN = new RunRef("myorg/myapp/release.yml", "main", "999", "corr-7f3a", TRIGGERED);
  static final RunRef UNDISCOVERED = new RunRef("myorg/myapp/release.yml", "main", null, "corr-7f3a", TRIGGERED);

  private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  @RegisterExtension
  final FakeVendor github = FakeVendor.perTest();

  private GitHubConnector connector(boolean correlationInput) {
    JsonObject config = new JsonObject().put("endpoint", github.url()).put("correlationInput", correlationInput);
    return new GitHubConnector(github.client(), new ResolvedIntegration(UUID.randomUUID(), IntegrationType.CI_GITHUB,
        "github-cloud", config, new JsonObject().put("token", TOKEN)), clock);
  }

  private GitHubConnector connector() {
    return connector(false);
  }

  /**
   * The contents API's answer for .github/workflows/release.yml declaring {@code inputs} under
   * on.workflow_dispatch (https://docs.github.com/en/rest/repos/contents#get-repository-content, 2022-11-28).
   */
  private void workflowDeclares(String... inputs) {
    StringBuilder yaml = new StringBuilder("name: Release\non:\n  workflow_dispatch:\n    inputs:\n");
    for (String input : inputs) {
      yaml.append("      ").append(input).append(":\n        type: string\n");
    }
    yaml.append("jobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n");
    String base64 = java.util.Base64.getMimeEncoder(60, "\n".getBytes())
        .encodeToString(yaml.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    github.stub(HttpMethod.GET, "/repos/myorg/myapp/contents/.github/workflows/release.yml", Reply.json(200,
        new JsonObject().put("type", "file").put("encoding", "base64").put("name", "release.yml")
            .put("path", ".github/workflows/release.yml").put("sha", "sha-" + String.join("-", inputs))
            .put("size", yaml.length()).put("content", base64)));
  }

  private java.util.List<Recorded> dispatches() {
    return github.requests().stream().filter(r -> r.path().endsWith("/dispatches")).toList();
  }

  static Map<String, String> variables() {
    Map<String, String> variables = new LinkedHashMap<>();
    variables.put("environment", "staging");
    variables.put("STELLA_RELEASE_ID", "rel-42");
    return variables;
  }

  static JsonObject run(long id, String title, String createdAt, String status, String conclusion) {
    return new JsonObject().put("id", id).put("display_title", title).put("status", status)
        .put("conclusion", conclusion).put("event", "workflow_dispatch").put("head_branch", "main")
        .put("run_number", 12).put("run_attempt", 1).put("created_at", createdAt)
        .put("html_url", "https://github.com/myorg/myapp/actions/runs/" + id);
  }

  static JsonObject runs(JsonObject... runs) {
    JsonArray array = new JsonArray();
    for (JsonObject run : runs) {
      array.add(run);
    }
    return new JsonObject().put("total_count", runs.length).put("workflow_runs", array);
  }

  private static void assertGitHubHeaders(Recorded request) {
    assertThat(request.header("Authorization")).isEqualTo("Bearer " + TOKEN);
    assertThat(request.header("Accept")).isEqualTo("application/vnd.github+json");
    assertThat(request.header("X-GitHub-Api-Version")).isEqualTo("2022-11-28");
  }

  @Test
  @DisplayName("trigger dispatches ref and variables as inputs asking for run details, and a 200 gives the run id")
  void dispatchReturnsRunDetails() {
    workflowDeclares("environment", "STELLA_RELEASE_ID");
    github.stub(HttpMethod.POST, WORKFLOW + "/dispatches", Reply.json(200, new JsonObject()
        .put("workflow_run_id", 999).put("run_url", "https://api.github.com/repos/myorg/myapp/actions/runs/999")
        .put("html_url", HTML_URL)));

    VendorRun run = result(connector().trigger("myorg/myapp/release.yml", "main", variables(), "corr-7f3a"));

    assertThat(run).isEqualTo(new VendorRun("999", "pending", "dispatched", HTML_URL));
    Recorded request = github.last();
    assertThat(request.method()).isEqualTo(HttpMethod.POST);
    assertThat(request.path()).isEqualTo("/repos/myorg/myapp/actions/workflows/release.yml/dispatches");
    assertGitHubHeaders(request);
    assertThat(request.json()).isEqualTo(new JsonObject().put("ref", "main")
        .put("inputs", new JsonObject().put("environment", "staging").put("STELLA_RELEASE_ID", "rel-42"))
        .put("return_run_details", true));
  }

  @Test
  @DisplayName("with correlationInput, a 204 dispatch leaves the run id open and a poll finds the run by correlation id in display_title")
  void dispatch204ThenDiscoveryByCorrelationId() {
    workflowDeclares("environment", "STELLA_RELEASE_ID", "correlation_id");
    github.stub(HttpMethod.POST, WORKFLOW + "/dispatches", Reply.status(204));
    github.stub(HttpMethod.GET, WORKFLOW + "/runs", Reply.json(200, runs(
        run(998, "Release corr-0000", "2026-03-01T11:59:00Z", "in_progress", null),
        run(999, "Release corr-7f3a", "2026-03-01T11:59:40Z", "queued", null))));

    VendorRun run = result(connector(true).trigger("myorg/myapp/release.yml", "main", variables(), "corr-7f3a"));

    assertThat(run).isEqualTo(new VendorRun(null, "pending", "dispatched", null));
    assertThat(github.last().json().getJsonObject("inputs").getString("correlation_id")).isEqualTo("corr-7f3a");

    PollResult poll = result(connector(true).poll(UNDISCOVERED, null));

    assertThat(poll).isEqualTo(PollResult.of("999", "pending", "queued", HTML_URL, null));
    Recorded list = github.last();
    assertThat(list.path()).isEqualTo("/repos/myorg/myapp/actions/workflows/release.yml/runs");
    assertGitHubHeaders(list);
    assertThat(list.param("event")).isEqualTo("workflow_dispatch");
    assertThat(list.param("branch")).isEqualTo("main");
    assertThat(list.param("created")).isEqualTo(">=2026-03-01T11:57:30Z");
    assertThat(list.param("per_page")).isEqualTo("50");
  }

  @Test
  @DisplayName("without correlationInput, no correlation_id is sent and discovery takes the oldest run since the trigger minus 2 minutes")
  void discoveryWithoutCorrelationInputTakesOldest() {
    workflowDeclares("environment", "STELLA_RELEASE_ID");
    github.stub(HttpMethod.POST, WORKFLOW + "/dispatches", Reply.status(204));
    github.stub(HttpMethod.GET, WORKFLOW + "/runs", Reply.json(200, runs(
        run(1001, "Release", "2026-03-01T11:59:50Z", "queued", null),
        run(1000, "Release", "2026-03-01T11:59:35Z", "in_progress", null),
        run(990, "Release", "2026-03-01T11:50:00Z", "completed", "success"))));

    result(connector().trigger("myorg/myapp/release.yml", "main", variables(), "corr-7f3a"));
    assertThat(github.last().json().getJsonObject("inputs").containsKey("correlation_id")).isFalse();

    PollResult poll = result(connector().poll(UNDISCOVERED, null));

    assertThat(poll.runId()).isEqualTo("1000");
    assertThat(poll.status()).isEqualTo("running");
  }

  @Test
  @DisplayName("until the dispatched run shows up, a poll is pending with no run id")
  void discoveryNothingYet() {
    github.stub(HttpMethod.GET, WORKFLOW + "/runs", Reply.json(200, runs(
        run(998, "Release corr-0000", "2026-03-01T11:59:00Z", "in_progress", null))));

    PollResult poll = result(connector(true).poll(UNDISCOVERED, null));

    assertThat(poll).isEqualTo(PollResult.of(null, "pending", "dispatched", null, null));
  }

  @Test
  @DisplayName("a 422 naming return_run_details (GHES 3.20) is retried once without the field")
  void retryWithoutReturnRunDetails() {
    workflowDeclares("environment", "STELLA_RELEASE_ID");
    github.stub(HttpMethod.POST, WORKFLOW + "/dispatches",
        Reply.json(422, new JsonObject().put("message", "Invalid request.\n\n\"return_run_details\" is not a permitted key.")),
        Reply.status(204));

    VendorRun run = result(connector().trigger("myorg/myapp/release.yml", "main", variables(), "corr-7f3a"));

    assertThat(run.runId()).isNull();
    assertThat(dispatches()).hasSize(2);
    assertThat(dispatches().get(0).json().getBoolean("return_run_details")).isTrue();
    assertThat(dispatches().get(1).json().containsKey("return_run_details")).isFalse();
    assertThat(dispatches().get(1).json().getJsonObject("inputs").getString("environment")).isEqualTo("staging");
  }

  @Test
  @DisplayName("a 400 naming return_run_details is also retried once, and a second refusal is not retried again")
  void retryOnlyOnce() {
    workflowDeclares("environment", "STELLA_RELEASE_ID");
    github.stub(HttpMethod.POST, WORKFLOW + "/dispatches",
        Reply.json(400, new JsonObject().put("message", "Unknown field return_run_details")));

    Throwable failure = failure(connector().trigger("myorg/myapp/release.yml", "main", variables(), "corr-7f3a"));

    assertThat(failure).isInstanceOf(CiException.Rejected.class);
    assertThat(dispatches()).hasSize(2);
  }

  @Test
  @DisplayName("a 422 for a workflow without a workflow_dispatch trigger is NotFound; other 422s are Rejected")
  void unprocessable() {
    workflowDeclares("environment", "STELLA_RELEASE_ID");
    github.stub(HttpMethod.POST, WORKFLOW + "/dispatches",
        Reply.json(422, new JsonObject().put("message", "Workflow does not have 'workflow_dispatch' trigger")),
        Reply.json(422, new JsonObject().put("message", "Unexpected inputs provided: [\"STELLA_RELEASE_ID\"]")));

    assertThat(failure(connector().trigger("myorg/myapp/release.yml", "main", variables(), "c")))
        .isInstanceOf(CiException.NotFound.class).hasMessageContaining("workflow_dispatch");
    assertThat(failure(connector().trigger("myorg/myapp/release.yml", "main", variables(), "c")))
        .isInstanceOf(CiException.Rejected.class).hasMessageContaining("Unexpected inputs");
  }

  @Test
  @DisplayName("more inputs than config.maxInputs (10 on an older GitHub Enterprise Server) are Rejected before the dispatch is sent")
  void tooManyInputs() {
    Map<String, String> variables = new LinkedHashMap<>();
    for (int i = 0; i < 10; i++) {
      variables.put("V" + i, "x");
    }
    java.util.List<String> declared = new java.util.ArrayList<>(variables.keySet());
    declared.add("correlation_id");
    workflowDeclares(declared.toArray(String[]::new));
    JsonObject config = new JsonObject().put("endpoint", github.url()).put("correlationInput", true)
        .put("maxInputs", 10);
    GitHubConnector ghes = new GitHubConnector(github.client(), new ResolvedIntegration(UUID.randomUUID(),
        IntegrationType.CI_GITHUB, "github-cloud", config, new JsonObject().put("token", TOKEN)), clock);

    Throwable failure = failure(ghes.trigger("myorg/myapp/release.yml", "main", variables, "corr-7f3a"));

    assertThat(failure).isInstanceOf(CiException.Rejected.class).hasMessageContaining("at most 10 inputs")
        .hasMessageContaining("11");
    assertThat(dispatches()).isEmpty();
  }

  @Test
  @DisplayName("the workflow file is parsed once per blob sha: a file with the same sha is not read for inputs again")
  void inputsCachedBySha() {
    workflowDeclares("environment", "STELLA_RELEASE_ID");
    github.stub(HttpMethod.POST, WORKFLOW + "/dispatches", Reply.status(204));
    GitHubConnector connector = connector();
    result(connector.trigger("myorg/myapp/release.yml", "main", variables(), "c1"));
    // Same sha, other content: only a cache keyed by the sha would still accept STELLA_RELEASE_ID.
    JsonObject file = new JsonObject().put("type", "file").put("encoding", "base64")
        .put("sha", "sha-environment-STELLA_RELEASE_ID").put("content", java.util.Base64.getEncoder()
            .encodeToString("on:\n  workflow_dispatch:\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    github.stub(HttpMethod.GET, "/repos/myorg/myapp/contents/.github/workflows/release.yml", Reply.json(200, file));

    result(connector.trigger("myorg/myapp/release.yml", "main", variables(), "c2"));

    assertThat(dispatches()).hasSize(2);
    assertThat(dispatches().get(1).json().getJsonObject("inputs").getString("STELLA_RELEASE_ID")).isEqualTo("rel-42");
  }

  @Test
  @DisplayName("a workflow given by numeric id is looked up for its file path before its inputs are read")
  void numericWorkflowId() {
    github.stub(HttpMethod.GET, "/repos/myorg/myapp/actions/workflows/161335", Reply.json(200, new JsonObject()
        .put("id", 161335).put("name", "Release").put("path", ".github/workflows/release.yml").put("state", "active")));
    workflowDeclares("environment", "STELLA_RELEASE_ID");
    github.stub(HttpMethod.POST, "/repos/myorg/myapp/actions/workflows/161335/dispatches", Reply.status(204));

    result(connector().trigger("myorg/myapp/161335", "main", variables(), "c"));

    assertThat(github.last().path()).isEqualTo("/repos/myorg/myapp/actions/workflows/161335/dispatches");
    assertThat(github.requests().get(1).param("ref")).isEqualTo("main");
  }

  @Test
  @DisplayName("an input the step asked for that the workflow does not declare is Rejected naming it, before anything is dispatched")
  void undeclaredInputRejected() {
    workflowDeclares("environment");

    Throwable failure = failure(connector().trigger("myorg/myapp/release.yml", "main", variables(), "c"));

    assertThat(failure).isInstanceOf(CiException.Rejected.class).hasMessageContaining("STELLA_RELEASE_ID")
        .hasMessageContaining("Declared: environment");
    assertThat(dispatches()).isEmpty();
  }

  @Test
  @DisplayName("a pipelineId that is not owner/repo/workflow is Rejected")
  void badPipelineId() {
    assertThat(failure(connector().trigger("myorg/myapp", "main", variables(), "c")))
        .isInstanceOf(CiException.Rejected.class).hasMessageContaining("owner/repo/workflow");
  }

  @ParameterizedTest(name = "{0}/{1} -> {2}")
  @CsvSource(nullValues = "null", value = {
      "requested, null, pending, requested",
      "queued, null, pending, queued",
      "pending, null, pending, pending",
      "waiting, null, pending, waiting",
      "in_progress, null, running, in_progress",
      "completed, success, success, success",
      "completed, neutral, success, neutral",
      "completed, failure, failed, failure",
      "completed, timed_out, failed, timed_out",
      "completed, startup_failure, failed, startup_failure",
      "completed, action_required, failed, action_required",
      "completed, stale, failed, stale",
      "completed, cancelled, cancelled, cancelled",
      "completed, skipped, cancelled, skipped"})
  @DisplayName("a poll by run id maps every status and conclusion; vendorStatus is the conclusion once completed")
  void pollMapsEveryState(String status, String conclusion, String expected, String vendorStatus) {
    github.stub(HttpMethod.GET, RUN_PATH, Reply.json(200, run(999, "Release", "2026-03-01T11:59:40Z", status, conclusion))
        .header("ETag", "\"etag-1\""));

    PollResult poll = result(connector().poll(RUN, null));

    assertThat(poll).isEqualTo(PollResult.of("999", expected, vendorStatus, HTML_URL, "\"etag-1\""));
    assertThat(github.last().path()).isEqualTo("/repos/myorg/myapp/actions/runs/999");
    assertGitHubHeaders(github.last());
  }

  @Test
  @DisplayName("a poll sends the ETag as If-None-Match and a 304 is 'unchanged'")
  void pollNotModified() {
    github.stub(HttpMethod.GET, RUN_PATH, Reply.status(304));

    assertThat(result(connector().poll(RUN, "\"etag-1\""))).isEqualTo(PollResult.unchanged());
    assertThat(github.last().header("If-None-Match")).isEqualTo("\"etag-1\"");
  }

  @Test
  @DisplayName("a 403 with x-ratelimit-remaining 0 is RateLimited until x-ratelimit-reset")
  void primaryRateLimit() {
    long reset = NOW.plusSeconds(1800).getEpochSecond();
    github.stub(HttpMethod.GET, RUN_PATH, Reply.json(403, new JsonObject().put("message", "API rate limit exceeded for user ID 1."))
        .header("x-ratelimit-limit", "5000").header("x-ratelimit-remaining", "0")
        .header("x-ratelimit-reset", String.valueOf(reset)));

    Throwable failure = failure(connector().poll(RUN, null));

    assertThat(failure).isInstanceOf(CiException.RateLimited.class).hasMessageContaining("github-cloud");
    assertThat(((CiException.RateLimited) failure).resumeAt()).isEqualTo(Instant.ofEpochSecond(reset));
  }

  @Test
  @DisplayName("a secondary limit with retry-after is RateLimited for that many seconds")
  void secondaryRateLimitWithRetryAfter() {
    workflowDeclares("environment", "STELLA_RELEASE_ID");
    github.stub(HttpMethod.POST, WORKFLOW + "/dispatches", Reply.json(403, new JsonObject()
            .put("message", "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."))
        .header("retry-after", "120").header("x-ratelimit-remaining", "4000"));

    Throwable failure = failure(connector().trigger("myorg/myapp/release.yml", "main", variables(), "c"));

    assertThat(((CiException.RateLimited) failure).resumeAt()).isEqualTo(NOW.plusSeconds(120));
  }

  @Test
  @DisplayName("a secondary limit without retry-after or remaining 0 waits 60 seconds; a 429 likewise")
  void secondaryRateLimitWithoutHints() {
    github.stub(HttpMethod.GET, RUN_PATH,
        Reply.json(403, new JsonObject().put("message", "You have exceeded a secondary rate limit."))
            .header("x-ratelimit-remaining", "4000"),
        Reply.status(429));

    assertThat(((CiException.RateLimited) failure(connector().poll(RUN, null))).resumeAt()).isEqualTo(NOW.plusSeconds(60));
    assertThat(((CiException.RateLimited) failure(connector().poll(RUN, null))).resumeAt()).isEqualTo(NOW.plusSeconds(60));
  }

  @Test
  @DisplayName("any other 403, and a 401, is Unauthorized")
  void forbidden() {
    github.stub(HttpMethod.GET, RUN_PATH,
        Reply.json(403, new JsonObject().put("message", "Resource not accessible by personal access token"))
            .header("x-ratelimit-remaining", "4999"),
        Reply.json(401, new JsonObject().put("message", "Bad credentials")));

    assertThat(failure(connector().poll(RUN, null))).isInstanceOf(CiException.Unauthorized.class)
        .hasMessageContaining("not accessible");
    assertThat(failure(connector().poll(RUN, null))).isInstanceOf(CiException.Unauthorized.class)
        .hasMessageContaining("github-cloud").hasMessageContaining("refused the credentials")
        .hasMessageNotContaining(TOKEN);
  }

  @Test
  @DisplayName("a 404 on the workflow is NotFound naming it")
  void notFound() {
    workflowDeclares("environment", "STELLA_RELEASE_ID");
    github.stub(HttpMethod.POST, WORKFLOW + "/dispatches", Reply.json(404, new JsonObject().put("message", "Not Found")));

    assertThat(failure(connector().trigger("myorg/myapp/release.yml", "main", variables(), "c")))
        .isInstanceOf(CiException.NotFound.class).hasMessageContaining("myorg/myapp/release.yml");
  }

  @Test
  @DisplayName("cancel posts to /actions/runs/999/cancel; 202 and 409 (already completed) both succeed")
  void cancel() {
    github.stub(HttpMethod.POST, RUN_PATH + "/cancel", Reply.status(202),
        Reply.json(409, new JsonObject().put("message", "Cannot cancel a workflow run that is completed.")));

    result(connector().cancel(RUN));
    result(connector().cancel(RUN));

    assertThat(github.requests()).hasSize(2).allSatisfy(request -> {
      assertThat(request.method()).isEqualTo(HttpMethod.POST);
      assertThat(request.path()).isEqualTo("/repos/myorg/myapp/actions/runs/999/cancel");
      assertGitHubHeaders(request);
    });
  }

  @Test
  @DisplayName("cancel of a run not discovered yet finds it first")
  void cancelUndiscovered() {
    github.stub(HttpMethod.GET, WORKFLOW + "/runs", Reply.json(200, runs(
        run(999, "Release corr-7f3a", "2026-03-01T11:59:40Z", "queued", null))));
    github.stub(HttpMethod.POST, RUN_PATH + "/cancel", Reply.status(202));

    result(connector(true).cancel(UNDISCOVERED));

    assertThat(github.last().path()).isEqualTo("/repos/myorg/myapp/actions/runs/999/cancel");
  }

  @Test
  @DisplayName("check reads /meta and reports the requests left from github.com's x-ratelimit-remaining")
  void check() {
    // https://docs.github.com/en/rest/meta/meta#get-github-meta-information
    github.stub(HttpMethod.GET, "/meta", Reply.json(200, new JsonObject().put("verifiable_password_authentication", false))
        .header("x-ratelimit-limit", "5000").header("x-ratelimit-remaining", "4999"));

    assertThat(result(connector().check())).isEqualTo("token accepted by GitHub; 4999 requests left");
    assertThat(github.last().path()).isEqualTo("/meta");
    assertGitHubHeaders(github.last());
  }

  @Test
  @DisplayName("a 200 dispatch answer without a readable run id leaves the id to discovery rather than failing")
  void dispatch200WithoutRunId() {
    workflowDeclares("environment", "STELLA_RELEASE_ID");
    github.stub(HttpMethod.POST, WORKFLOW + "/dispatches", Reply.text(200, "ok"));

    VendorRun run = result(connector().trigger("myorg/myapp/release.yml", "main", variables(), "corr-7f3a"));

    assertThat(run).isEqualTo(new VendorRun(null, "pending", "dispatched", null));
  }

  @Test
  @DisplayName("a discovery list that is not what GitHub sends is Transient")
  void discoveryMalformed() {
    github.stub(HttpMethod.GET, WORKFLOW + "/runs", Reply.json(200, new JsonObject().put("total_count", 0)));

    assertThat(failure(connector().poll(UNDISCOVERED, null))).isInstanceOf(CiException.Transient.class)
        .hasMessageContaining("workflow_runs");
  }

  @Test
  @DisplayName("a 5xx is Transient")
  void serverError() {
    github.stub(HttpMethod.GET, RUN_PATH, Reply.text(503, "Service Unavailable"));

    assertThat(failure(connector().poll(RUN, null))).isInstanceOf(CiException.Transient.class);
  }
}
