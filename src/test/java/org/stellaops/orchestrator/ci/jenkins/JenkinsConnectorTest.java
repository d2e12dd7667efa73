package org.stellaops.orchestrator.ci.jenkins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.stellaops.orchestrator.ci.FakeVendor.Async.failure;
import static org.stellaops.orchestrator.ci.FakeVendor.Async.result;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
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

class JenkinsConnectorTest {

  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  static final String API_TOKEN = "11e2f0c0ffee-api-token";
  static final String BASIC = "Basic " + Base64.getEncoder()
      .encodeToString(("stella:" + API_TOKEN).getBytes(StandardCharsets.UTF_8));
  static final String JOB = "/job/folder/job/sub/job/app";
  static final String PIPELINE_ID = "folder/sub/app";
  static final RunRef QUEUED = new RunRef(PIPELINE_ID, "main", "queue:42", "corr-1", NOW);
  static final RunRef BUILD = new RunRef(PIPELINE_ID, "main", "17", "corr-1", NOW);

  private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  @RegisterExtension
  final FakeVendor jenkins = FakeVendor.perTest();

  private JenkinsConnector connector() {
    return new JenkinsConnector(jenkins.client(), new ResolvedIntegration(UUID.randomUUID(), IntegrationType.CI_JENKINS,
        "build-farm", new JsonObject().put("endpoint", jenkins.url() + "/"),
        new JsonObject().put("username", "stella").put("apiToken", API_TOKEN)), clock);
  }

  private String queueLocation(int id) {
    return jenkins.url() + "/queue/item/" + id + "/";
  }

  static Map<String, String> variables() {
    Map<String, String> variables = new LinkedHashMap<>();
    variables.put("DEPLOY_ENV", "staging");
    variables.put("STELLA_RELEASE_ID", "rel 42");
    return variables;
  }

  /**
   * {@code GET {job}/api/json?tree=property[parameterDefinitions[name]]} for a job declaring {@code names}, shaped
   * as Jenkins answers it (https://www.jenkins.io/doc/book/using/remote-access-api/, hudson.model.Api).
   */
  private void declares(String job, String... names) {
    io.vertx.core.json.JsonArray definitions = new io.vertx.core.json.JsonArray();
    for (String name : names) {
      definitions.add(new JsonObject().put("_class", "hudson.model.StringParameterDefinition").put("name", name));
    }
    io.vertx.core.json.JsonArray properties = new io.vertx.core.json.JsonArray()
        .add(new JsonObject().put("_class", "jenkins.model.BuildDiscarderProperty"));
    if (names.length > 0) {
      properties.add(new JsonObject().put("_class", "hudson.model.ParametersDefinitionProperty")
          .put("parameterDefinitions", definitions));
    }
    jenkins.stub(HttpMethod.GET, job + "/api/json", Reply.json(200, new JsonObject()
        .put("_class", "hudson.model.FreeStyleProject").put("property", properties)));
  }

  private java.util.List<Recorded> posts() {
    return jenkins.requests().stream().filter(r -> r.method() == HttpMethod.POST).toList();
  }

  static JsonObject build(boolean building, String result) {
    return new JsonObject().put("_class", "org.jenkinsci.plugins.workflow.job.WorkflowRun").put("number", 17)
        .put("url", "https://jenkins.example.com/job/folder/job/sub/job/app/17/").put("building", building)
        .put("result", result).put("duration", building ? 0 : 53_000).put("timestamp", 1_772_366_400_000L);
  }

  static JsonObject waiting(String kind, String why) {
    return new JsonObject().put("_class", "hudson.model.Queue$" + kind).put("id", 42).put("why", why)
        .put("blocked", "BlockedItem".equals(kind)).put("buildable", "BuildableItem".equals(kind)).put("stuck", false);
  }

  @Test
  @DisplayName("trigger posts buildWithParameters with every declared variable and delay=0sec, Basic auth, and keeps queue:{id} from Location")
  void triggerWithParameters() {
    declares(JOB, "DEPLOY_ENV", "STELLA_RELEASE_ID");
    jenkins.stub(HttpMethod.POST, JOB + "/buildWithParameters", Reply.status(201).header("Location", queueLocation(42)));

    VendorRun run = result(connector().trigger(PIPELINE_ID, "main", variables(), "corr-1"));

    assertThat(run.runId()).isEqualTo("queue:42");
    assertThat(run.status()).isEqualTo("pending");
    assertThat(run.webUrl()).isEqualTo(jenkins.url() + JOB + "/");
    Recorded request = jenkins.last();
    assertThat(request.method()).isEqualTo(HttpMethod.POST);
    assertThat(request.path()).isEqualTo("/job/folder/job/sub/job/app/buildWithParameters");
    assertThat(request.header("Authorization")).isEqualTo(BASIC);
    assertThat(request.param("DEPLOY_ENV")).isEqualTo("staging");
    assertThat(request.param("STELLA_RELEASE_ID")).isEqualTo("rel 42");
    assertThat(request.param("delay")).isEqualTo("0sec");
  }

  @Test
  @DisplayName("a job without parameters gets build?delay=0sec")
  void triggerWithoutParameters() {
    declares(JOB);
    jenkins.stub(HttpMethod.POST, JOB + "/build", Reply.status(201).header("Location", queueLocation(43)));

    assertThat(result(connector().trigger(PIPELINE_ID, "main", Map.of(), "corr-1")).runId()).isEqualTo("queue:43");
    assertThat(jenkins.last().path()).isEqualTo("/job/folder/job/sub/job/app/build");
    assertThat(jenkins.last().query().names()).containsExactly("delay");
  }

  @Test
  @DisplayName("the job's parameters are read once per job for a while, not before every trigger")
  void parametersAreCached() {
    declares(JOB, "DEPLOY_ENV");
    jenkins.stub(HttpMethod.POST, JOB + "/buildWithParameters", Reply.status(201).header("Location", queueLocation(46)));
    JenkinsConnector connector = connector();

    result(connector.trigger(PIPELINE_ID, "main", variables(), "corr-1"));
    VendorRun second = result(connector.trigger(PIPELINE_ID, "main", variables(), "corr-2"));

    assertThat(jenkins.requests().stream().filter(r -> r.path().endsWith("/api/json")).count()).isEqualTo(1);
    assertThat(second.notes()).singleElement().asString().contains("does not declare STELLA_RELEASE_ID");
    assertThat(jenkins.last().param("STELLA_RELEASE_ID")).isNull();
  }

  @Test
  @DisplayName("when Jenkins still says the job is not parameterized (it changed since it was read), its definition is read again and the trigger resent once with build")
  void staleDefinitionIsReadAgain() {
    jenkins.stub(HttpMethod.GET, JOB + "/api/json",
        Reply.json(200, new JsonObject().put("property", new io.vertx.core.json.JsonArray().add(new JsonObject()
            .put("_class", "hudson.model.ParametersDefinitionProperty").put("parameterDefinitions",
                new io.vertx.core.json.JsonArray().add(new JsonObject().put("name", "DEPLOY_ENV")))))),
        Reply.json(200, new JsonObject().put("property", new io.vertx.core.json.JsonArray())));
    // jenkins/model/ParameterizedJobMixIn.java (2.524): errorWithoutStack(400, job.getFullName() + " is not parameterized")
    jenkins.stub(HttpMethod.POST, JOB + "/buildWithParameters", Reply.text(400, "folder/sub/app is not parameterized"));
    jenkins.stub(HttpMethod.POST, JOB + "/build", Reply.status(201).header("Location", queueLocation(47)));

    VendorRun run = result(connector().trigger(PIPELINE_ID, "main", variables(), "corr-1"));

    assertThat(run.runId()).isEqualTo("queue:47");
    assertThat(posts()).extracting(Recorded::path)
        .containsExactly(JOB + "/buildWithParameters", JOB + "/build");
  }

  @Test
  @DisplayName("a 303 to an already-queued item is that item, and the redirect is not followed")
  void seeOtherIsNotFollowed() {
    declares(JOB, "DEPLOY_ENV", "STELLA_RELEASE_ID");
    jenkins.stub(HttpMethod.POST, JOB + "/buildWithParameters", Reply.status(303).header("Location", queueLocation(41)));

    assertThat(result(connector().trigger(PIPELINE_ID, "main", variables(), "corr-1")).runId()).isEqualTo("queue:41");
    assertThat(posts()).hasSize(1);
  }

  @Test
  @DisplayName("a redirect that is not to a queue item means Jenkins scheduled nothing: Rejected")
  void scheduledNothing() {
    declares(JOB);
    jenkins.stub(HttpMethod.POST, JOB + "/build", Reply.status(302).header("Location", jenkins.url() + JOB + "/."));

    assertThat(failure(connector().trigger(PIPELINE_ID, "main", Map.of(), "corr-1")))
        .isInstanceOf(CiException.Rejected.class).hasMessageContaining("scheduled nothing");
    assertThat(posts()).hasSize(1);
  }

  @Test
  @DisplayName("a 409 means the job is disabled: Rejected")
  void disabled() {
    declares(JOB);
    jenkins.stub(HttpMethod.POST, JOB + "/build", Reply.status(409));

    assertThat(failure(connector().trigger(PIPELINE_ID, "main", Map.of(), "corr-1")))
        .isInstanceOf(CiException.Rejected.class).hasMessageContaining("disabled");
  }

  @Test
  @DisplayName("a 403 for a missing crumb fetches one and resends once with the crumb header and the session cookie")
  void crumbRetry() {
    declares(JOB, "DEPLOY_ENV", "STELLA_RELEASE_ID");
    jenkins.stub(HttpMethod.POST, JOB + "/buildWithParameters",
        Reply.text(403, "HTTP ERROR 403 No valid crumb was included in the request"),
        Reply.status(201).header("Location", queueLocation(44)));
    jenkins.stub(HttpMethod.GET, "/crumbIssuer/api/json", Reply.json(200, new JsonObject()
            .put("_class", "hudson.security.csrf.DefaultCrumbIssuer").put("crumb", "c0ffee").put("crumbRequestField", "Jenkins-Crumb"))
        .header("Set-Cookie", "JSESSIONID.abc123=node0xyz; Path=/; HttpOnly"));

    assertThat(result(connector().trigger(PIPELINE_ID, "main", variables(), "corr-1")).runId()).isEqualTo("queue:44");

    assertThat(jenkins.requests()).extracting(Recorded::method, Recorded::path).containsExactly(
        org.assertj.core.groups.Tuple.tuple(HttpMethod.GET, JOB + "/api/json"),
        org.assertj.core.groups.Tuple.tuple(HttpMethod.POST, JOB + "/buildWithParameters"),
        org.assertj.core.groups.Tuple.tuple(HttpMethod.GET, "/crumbIssuer/api/json"),
        org.assertj.core.groups.Tuple.tuple(HttpMethod.POST, JOB + "/buildWithParameters"));
    Recorded retry = jenkins.last();
    assertThat(retry.header("Jenkins-Crumb")).isEqualTo("c0ffee");
    assertThat(retry.header("Cookie")).isEqualTo("JSESSIONID.abc123=node0xyz");
    assertThat(retry.header("Authorization")).isEqualTo(BASIC);
    assertThat(retry.param("DEPLOY_ENV")).isEqualTo("staging");
  }

  @Test
  @DisplayName("a 403 that is not about a crumb is Unauthorized without a crumb round-trip")
  void forbidden() {
    declares(JOB);
    jenkins.stub(HttpMethod.POST, JOB + "/build", Reply.text(403, "stella is missing the Job/Build permission"));

    assertThat(failure(connector().trigger(PIPELINE_ID, "main", Map.of(), "corr-1")))
        .isInstanceOf(CiException.Unauthorized.class).hasMessageContaining("build-farm");
    assertThat(posts()).hasSize(1);
  }

  @Test
  @DisplayName("a multibranch branch written feature%2Fx is sent as feature%252Fx")
  void multibranchPath() {
    declares("/job/multi/job/feature%252Fx");
    jenkins.stub(HttpMethod.POST, "/job/multi/job/feature%252Fx/build", Reply.status(201).header("Location", queueLocation(45)));

    assertThat(result(connector().trigger("multi/feature%2Fx", "feature/x", Map.of(), "corr-1")).runId())
        .isEqualTo("queue:45");
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @CsvSource({
      "WaitingItem, In the quiet period. Expires in 4.9 sec, In the quiet period. Expires in 4.9 sec",
      "BlockedItem, Build #16 is already in progress, Build #16 is already in progress",
      "BuildableItem, '', BuildableItem"})
  @DisplayName("a waiting queue item is pending, worded by Jenkins' why or else the item's kind")
  void queueWaiting(String kind, String why, String vendorStatus) {
    jenkins.stub(HttpMethod.GET, "/queue/item/42/api/json", Reply.json(200, waiting(kind, why.isEmpty() ? null : why)));

    PollResult poll = result(connector().poll(QUEUED, null));

    assertThat(poll).isEqualTo(PollResult.of("queue:42", "pending", vendorStatus, jenkins.url() + JOB + "/", null));
    assertThat(jenkins.last().header("Authorization")).isEqualTo(BASIC);
  }

  @Test
  @DisplayName("a cancelled queue item is cancelled")
  void queueCancelled() {
    jenkins.stub(HttpMethod.GET, "/queue/item/42/api/json", Reply.json(200, new JsonObject()
        .put("_class", "hudson.model.Queue$LeftItem").put("id", 42).put("cancelled", true).putNull("executable")));

    PollResult poll = result(connector().poll(QUEUED, null));

    assertThat(poll.status()).isEqualTo("cancelled");
    assertThat(poll.runId()).isEqualTo("queue:42");
  }

  @Test
  @DisplayName("a queue item that left with an executable becomes its build number, read in the same poll")
  void queueItemBecomesBuild() {
    jenkins.stub(HttpMethod.GET, "/queue/item/42/api/json", Reply.json(200, new JsonObject()
        .put("_class", "hudson.model.Queue$LeftItem").put("id", 42).put("cancelled", false)
        .put("executable", new JsonObject().put("number", 17).put("url", "https://jenkins.example.com/job/folder/job/sub/job/app/17/"))));
    jenkins.stub(HttpMethod.GET, JOB + "/17/api/json", Reply.json(200, build(true, null)));

    PollResult poll = result(connector().poll(QUEUED, null));

    assertThat(poll).isEqualTo(PollResult.of("17", "running", "BUILDING",
        "https://jenkins.example.com/job/folder/job/sub/job/app/17/", null));
    assertThat(jenkins.last().param("tree")).isEqualTo("number,url,building,result,duration,timestamp");
  }

  @Test
  @DisplayName("a queue item Jenkins no longer knows (404) expired before it started: Rejected")
  void queueItemExpired() {
    jenkins.stub(HttpMethod.GET, "/queue/item/42/api/json", Reply.status(404));

    assertThat(failure(connector().poll(QUEUED, null))).isInstanceOf(CiException.Rejected.class)
        .hasMessageContaining("expired before it started");
  }

  @ParameterizedTest(name = "building={0} result={1} -> {2}")
  @CsvSource(nullValues = "null", value = {
      "true, null, running, BUILDING",
      "false, SUCCESS, success, SUCCESS",
      "false, UNSTABLE, failed, UNSTABLE",
      "false, FAILURE, failed, FAILURE",
      "false, ABORTED, cancelled, ABORTED",
      "false, NOT_BUILT, cancelled, NOT_BUILT"})
  @DisplayName("a build poll maps building and every result to the normalised status")
  void buildStates(boolean building, String resultWord, String expected, String vendorStatus) {
    jenkins.stub(HttpMethod.GET, JOB + "/17/api/json", Reply.json(200, build(building, resultWord)));

    PollResult poll = result(connector().poll(BUILD, null));

    PollResult read = PollResult.of("17", expected, vendorStatus,
        "https://jenkins.example.com/job/folder/job/sub/job/app/17/", null);
    // A finished build ended at timestamp (its start) + duration.
    assertThat(poll).isEqualTo(building ? read : read.finishedAt(java.time.Instant.ofEpochMilli(1_772_366_400_000L + 53_000)));
    assertThat(jenkins.last().path()).isEqualTo("/job/folder/job/sub/job/app/17/api/json");
    assertThat(jenkins.last().param("tree")).isEqualTo("number,url,building,result,duration,timestamp");
  }

  @Test
  @DisplayName("a build answer without 'building' is Transient")
  void malformedBuild() {
    jenkins.stub(HttpMethod.GET, JOB + "/17/api/json", Reply.json(200, new JsonObject().put("number", 17)));

    assertThat(failure(connector().poll(BUILD, null))).isInstanceOf(CiException.Transient.class);
  }

  @Test
  @DisplayName("cancel of a waiting queue item posts /queue/cancelItem?id=42")
  void cancelQueued() {
    jenkins.stub(HttpMethod.GET, "/queue/item/42/api/json", Reply.json(200, waiting("WaitingItem", "In the quiet period")));
    jenkins.stub(HttpMethod.POST, "/queue/cancelItem", Reply.status(302).header("Location", jenkins.url() + "/queue/"));

    result(connector().cancel(QUEUED));

    Recorded cancel = jenkins.last();
    assertThat(cancel.method()).isEqualTo(HttpMethod.POST);
    assertThat(cancel.path()).isEqualTo("/queue/cancelItem");
    assertThat(cancel.param("id")).isEqualTo("42");
    assertThat(cancel.header("Authorization")).isEqualTo(BASIC);
    assertThat(jenkins.requests()).hasSize(2);
  }

  @Test
  @DisplayName("cancel of a queue item that has started stops its build instead")
  void cancelQueuedThatStarted() {
    jenkins.stub(HttpMethod.GET, "/queue/item/42/api/json", Reply.json(200, new JsonObject()
        .put("_class", "hudson.model.Queue$LeftItem").put("cancelled", false)
        .put("executable", new JsonObject().put("number", 17))));
    jenkins.stub(HttpMethod.POST, JOB + "/17/stop", Reply.status(302).header("Location", jenkins.url() + JOB + "/17/"));

    result(connector().cancel(QUEUED));

    assertThat(jenkins.last().path()).isEqualTo("/job/folder/job/sub/job/app/17/stop");
  }

  @Test
  @DisplayName("cancel of a build posts …/17/stop and accepts its redirect without following it")
  void cancelBuild() {
    jenkins.stub(HttpMethod.POST, JOB + "/17/stop", Reply.status(302).header("Location", jenkins.url() + JOB + "/17/"));

    result(connector().cancel(BUILD));

    assertThat(jenkins.requests()).hasSize(1);
    assertThat(jenkins.last().method()).isEqualTo(HttpMethod.POST);
    assertThat(jenkins.last().path()).isEqualTo("/job/folder/job/sub/job/app/17/stop");
    assertThat(jenkins.last().header("Authorization")).isEqualTo(BASIC);
  }

  @Test
  @DisplayName("check reads /api/json?tree=mode")
  void check() {
    jenkins.stub(HttpMethod.GET, "/api/json", Reply.json(200, new JsonObject().put("_class", "hudson.model.Hudson").put("mode", "NORMAL")));

    assertThat(result(connector().check())).isEqualTo("reachable; mode NORMAL");
    assertThat(jenkins.last().param("tree")).isEqualTo("mode");
    assertThat(jenkins.last().header("Authorization")).isEqualTo(BASIC);
  }

  @Test
  @DisplayName("check with refused credentials (401) is Unauthorized naming the integration, never the token")
  void checkUnauthorized() {
    jenkins.stub(HttpMethod.GET, "/api/json", Reply.text(401, "Invalid password/token for user: stella"));

    assertThat(failure(connector().check())).isInstanceOf(CiException.Unauthorized.class)
        .hasMessageContaining("build-farm").hasMessageContaining("refused the credentials")
        .hasMessageNotContaining(API_TOKEN);
  }

  @Test
  @DisplayName("a run id that is neither queue:<id> nor a number is Rejected without a request")
  void badRunId() {
    assertThat(failure(connector().poll(new RunRef(PIPELINE_ID, "main", "abc", null, NOW), null)))
        .isInstanceOf(CiException.Rejected.class);
    assertThat(jenkins.requests()).isEmpty();
  }
}
