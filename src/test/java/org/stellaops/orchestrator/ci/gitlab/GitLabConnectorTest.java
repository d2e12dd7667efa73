package org.stellaops.orchestrator.ci.gitlab;

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

class GitLabConnectorTest {

  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  static final String TOKEN = "glpat-secret-token";
  static final String PROJECT = "/api/v4/projects/grp%2Fproj";
  static final String PIPELINE = PROJECT + "/pipelines/4711";
  static final RunRef RUN = new RunRef("grp/proj", "main", "4711", "corr-1", NOW);

  private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  @RegisterExtension
  final FakeVendor gitlab = FakeVendor.perTest();

  private GitLabConnector connector(JsonObject credentials) {
    return connector(new JsonObject().put("endpoint", gitlab.url()), credentials);
  }

  private GitLabConnector connector(JsonObject config, JsonObject credentials) {
    return new GitLabConnector(gitlab.client(),
        new ResolvedIntegration(UUID.randomUUID(), IntegrationType.CI_GITLAB, "prod-gitlab", config, credentials),
        clock);
  }

  private GitLabConnector connector() {
    return connector(new JsonObject().put("token", TOKEN));
  }

  static JsonObject pipeline(String status) {
    return new JsonObject().put("id", 4711).put("iid", 12).put("sha", "c6d86dc6").put("ref", "main")
        .put("status", status).put("source", "api")
        .put("web_url", "https://gitlab.example.com/grp/proj/-/pipelines/4711");
  }

  static Map<String, String> variables() {
    Map<String, String> variables = new LinkedHashMap<>();
    variables.put("DEPLOY_TARGET", "staging");
    variables.put("STELLA_RELEASE_ID", "rel-42");
    return variables;
  }

  @Test
  @DisplayName("trigger posts the ref and every variable as an env_var to /projects/grp%2Fproj/pipeline with PRIVATE-TOKEN")
  void triggerCreatesPipeline() {
    gitlab.stub(HttpMethod.POST, PROJECT + "/pipeline", Reply.json(201, pipeline("created")));

    VendorRun run = result(connector().trigger("grp/proj", "main", variables(), "corr-1"));

    assertThat(run).isEqualTo(new VendorRun("4711", "pending", "created",
        "https://gitlab.example.com/grp/proj/-/pipelines/4711"));
    Recorded request = gitlab.last();
    assertThat(request.method()).isEqualTo(HttpMethod.POST);
    assertThat(request.path()).isEqualTo("/api/v4/projects/grp%2Fproj/pipeline");
    assertThat(request.header("PRIVATE-TOKEN")).isEqualTo(TOKEN);
    assertThat(request.json()).isEqualTo(new JsonObject().put("ref", "main").put("variables", new JsonArray()
        .add(new JsonObject().put("key", "DEPLOY_TARGET").put("value", "staging").put("variable_type", "env_var"))
        .add(new JsonObject().put("key", "STELLA_RELEASE_ID").put("value", "rel-42").put("variable_type", "env_var"))));
  }

  @Test
  @DisplayName("a numeric project id is used as is, and an endpoint already ending in /api/v4 is not doubled")
  void numericProjectId() {
    gitlab.stub(HttpMethod.POST, "/api/v4/projects/278964/pipeline", Reply.json(201, pipeline("pending")));

    VendorRun run = result(connector(new JsonObject().put("endpoint", gitlab.url() + "/api/v4/"),
        new JsonObject().put("token", TOKEN)).trigger("278964", "v1.2.0", Map.of(), "corr-1"));

    assertThat(run.status()).isEqualTo("pending");
    assertThat(gitlab.last().path()).isEqualTo("/api/v4/projects/278964/pipeline");
  }

  @Test
  @DisplayName("with only a trigger token, trigger posts a form with token, ref and variables[K] and no PRIVATE-TOKEN")
  void triggerWithTriggerToken() {
    gitlab.stub(HttpMethod.POST, PROJECT + "/trigger/pipeline", Reply.json(201, pipeline("created")));

    VendorRun run = result(connector(new JsonObject().put("triggerToken", "glptt-trigger"))
        .trigger("grp/proj", "main", variables(), "corr-1"));

    assertThat(run.runId()).isEqualTo("4711");
    Recorded request = gitlab.last();
    assertThat(request.path()).isEqualTo("/api/v4/projects/grp%2Fproj/trigger/pipeline");
    assertThat(request.header("PRIVATE-TOKEN")).isNull();
    assertThat(request.header("Content-Type")).startsWith("application/x-www-form-urlencoded");
    assertThat(request.form().get("token")).isEqualTo("glptt-trigger");
    assertThat(request.form().get("ref")).isEqualTo("main");
    assertThat(request.form().get("variables[DEPLOY_TARGET]")).isEqualTo("staging");
    assertThat(request.form().get("variables[STELLA_RELEASE_ID]")).isEqualTo("rel-42");
  }

  @Test
  @DisplayName("with only a trigger token, a poll fails Unauthorized saying a token with read_api is needed")
  void pollWithOnlyTriggerToken() {
    Throwable failure = failure(connector(new JsonObject().put("triggerToken", "glptt-trigger")).poll(RUN, null));

    assertThat(failure).isInstanceOf(CiException.Unauthorized.class).hasMessageContaining("read_api")
        .hasMessageContaining("prod-gitlab").hasMessageNotContaining("glptt-trigger");
    assertThat(gitlab.requests()).isEmpty();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "created, pending",
      "waiting_for_resource, pending",
      "preparing, pending",
      "pending, pending",
      "scheduled, pending",
      "manual, pending",
      "waiting_for_callback, pending",
      "a_status_from_the_future, pending",
      "running, running",
      "canceling, running",
      "success, success",
      "failed, failed",
      "canceled, cancelled",
      "skipped, cancelled"})
  @DisplayName("a poll maps every GitLab pipeline status to the normalised one and keeps GitLab's word")
  void pollMapsEveryStatus(String status, String expected) {
    gitlab.stub(HttpMethod.GET, PIPELINE, Reply.json(200, pipeline(status)).header("ETag", "W/\"abc\""));

    PollResult poll = result(connector().poll(RUN, null));

    assertThat(poll).isEqualTo(PollResult.of("4711", expected, status,
        "https://gitlab.example.com/grp/proj/-/pipelines/4711", "W/\"abc\""));
    assertThat(gitlab.last().header("PRIVATE-TOKEN")).isEqualTo(TOKEN);
    assertThat(gitlab.last().header("If-None-Match")).isNull();
  }

  @Test
  @DisplayName("a poll sends the known ETag as If-None-Match and a 304 is 'unchanged'")
  void pollNotModified() {
    gitlab.stub(HttpMethod.GET, PIPELINE, Reply.status(304));

    PollResult poll = result(connector().poll(RUN, "W/\"abc\""));

    assertThat(poll).isEqualTo(PollResult.unchanged());
    assertThat(gitlab.last().header("If-None-Match")).isEqualTo("W/\"abc\"");
  }

  @Test
  @DisplayName("cancel posts to /projects/grp%2Fproj/pipelines/4711/cancel and succeeds on GitLab's 200")
  void cancel() {
    gitlab.stub(HttpMethod.POST, PIPELINE + "/cancel", Reply.json(200, pipeline("canceling")));

    result(connector().cancel(RUN));

    assertThat(gitlab.last().method()).isEqualTo(HttpMethod.POST);
    assertThat(gitlab.last().path()).isEqualTo("/api/v4/projects/grp%2Fproj/pipelines/4711/cancel");
    assertThat(gitlab.last().header("PRIVATE-TOKEN")).isEqualTo(TOKEN);
  }

  @Test
  @DisplayName("check reads /api/v4/user and names the user")
  void check() {
    gitlab.stub(HttpMethod.GET, "/api/v4/user", Reply.json(200, new JsonObject().put("id", 1).put("username", "stella-bot")));

    assertThat(result(connector().check())).isEqualTo("authenticated as stella-bot");
    assertThat(gitlab.last().header("PRIVATE-TOKEN")).isEqualTo(TOKEN);
  }

  @Test
  @DisplayName("a 429 with Retry-After pauses the integration for that many seconds from the clock's now")
  void rateLimitedRetryAfter() {
    gitlab.stub(HttpMethod.POST, PROJECT + "/pipeline", Reply.text(429, "Retry later").header("Retry-After", "30"));

    Throwable failure = failure(connector().trigger("grp/proj", "main", variables(), "corr-1"));

    assertThat(failure).isInstanceOf(CiException.RateLimited.class);
    assertThat(((CiException.RateLimited) failure).resumeAt()).isEqualTo(NOW.plusSeconds(30));
  }

  @Test
  @DisplayName("a 429 with only RateLimit-Reset pauses until that epoch second")
  void rateLimitedReset() {
    gitlab.stub(HttpMethod.GET, PIPELINE, Reply.text(429, "Retry later")
        .header("RateLimit-Reset", String.valueOf(NOW.plusSeconds(90).getEpochSecond())));

    Throwable failure = failure(connector().poll(RUN, null));

    assertThat(((CiException.RateLimited) failure).resumeAt()).isEqualTo(NOW.plusSeconds(90));
  }

  @Test
  @DisplayName("a 429 without any hint pauses for 60 seconds")
  void rateLimitedWithoutHeaders() {
    gitlab.stub(HttpMethod.GET, PIPELINE, Reply.status(429));

    Throwable failure = failure(connector().poll(RUN, null));

    assertThat(((CiException.RateLimited) failure).resumeAt()).isEqualTo(NOW.plusSeconds(60));
  }

  @Test
  @DisplayName("a 401 is Unauthorized, names the integration, says the credentials were refused and hides the token")
  void unauthorized() {
    gitlab.stub(HttpMethod.POST, PROJECT + "/pipeline", Reply.json(401, new JsonObject().put("message", "401 Unauthorized")));

    Throwable failure = failure(connector().trigger("grp/proj", "main", variables(), "corr-1"));

    assertThat(failure).isInstanceOf(CiException.Unauthorized.class)
        .hasMessageContaining("prod-gitlab").hasMessageContaining("refused the credentials")
        .hasMessageNotContaining(TOKEN);
  }

  @Test
  @DisplayName("a 404 is NotFound naming the project")
  void notFound() {
    gitlab.stub(HttpMethod.POST, PROJECT + "/pipeline", Reply.json(404, new JsonObject().put("message", "404 Project Not Found")));

    Throwable failure = failure(connector().trigger("grp/proj", "main", variables(), "corr-1"));

    assertThat(failure).isInstanceOf(CiException.NotFound.class).hasMessageContaining("grp/proj");
  }

  @Test
  @DisplayName("a 400 with GitLab's message (no matching jobs) is Rejected and quotes it")
  void rejected() {
    gitlab.stub(HttpMethod.POST, PROJECT + "/pipeline", Reply.json(400, new JsonObject()
        .put("message", new JsonObject().put("base", new JsonArray().add("Pipeline will not run for the selected trigger")))));

    Throwable failure = failure(connector().trigger("grp/proj", "main", variables(), "corr-1"));

    assertThat(failure).isInstanceOf(CiException.Rejected.class).hasMessageContaining("will not run");
  }

  @Test
  @DisplayName("a 502 is Transient")
  void badGateway() {
    gitlab.stub(HttpMethod.GET, PIPELINE, Reply.text(502, "Bad Gateway"));

    assertThat(failure(connector().poll(RUN, null))).isInstanceOf(CiException.Transient.class).hasMessageContaining("502");
  }

  @Test
  @DisplayName("a 200 whose body is not JSON, or lacks the status, is Transient")
  void malformedJson() {
    gitlab.stub(HttpMethod.GET, PIPELINE, Reply.text(200, "<html>maintenance</html>"), Reply.json(200, new JsonObject().put("id", 4711)));

    assertThat(failure(connector().poll(RUN, null))).isInstanceOf(CiException.Transient.class)
        .hasMessageContaining("unexpected JSON");
    assertThat(failure(connector().poll(RUN, null))).isInstanceOf(CiException.Transient.class)
        .hasMessageContaining("status");
  }

  @Test
  @DisplayName("an unreachable instance is Transient")
  void connectionRefused() {
    gitlab.close();

    assertThat(failure(connector().check())).isInstanceOf(CiException.Transient.class)
        .hasMessageContaining("could not be reached");
  }

  @Test
  @DisplayName("a GitLab that does not answer within config.requestTimeoutSeconds is Transient")
  void timeout() {
    gitlab.hang(HttpMethod.GET, PIPELINE);

    Throwable failure = failure(connector(new JsonObject().put("endpoint", gitlab.url()).put("requestTimeoutSeconds", 1),
        new JsonObject().put("token", TOKEN)).poll(RUN, null));

    assertThat(failure).isInstanceOf(CiException.Transient.class).hasMessageContaining("prod-gitlab");
  }
}
