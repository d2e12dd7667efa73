package org.stellaops.orchestrator.webhook.parsers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.stellaops.orchestrator.webhook.parsers.Fixtures.headers;
import static org.stellaops.orchestrator.webhook.parsers.Fixtures.load;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.stellaops.orchestrator.webhook.WebhookEvent.BuildCompleted;
import org.stellaops.orchestrator.webhook.WebhookEvent.Ignored;
import org.stellaops.orchestrator.webhook.parsers.PayloadParser.UnrecognisedPayloadException;

class GitHubWorkflowRunParserTest {

  static final String HEAD = "acb5820ced9479c074f688cc328bf03f341a511d";
  static final String URL = "https://github.com/Octo-Org/payments/actions/runs/30433642";

  private final GitHubWorkflowRunParser parser = new GitHubWorkflowRunParser();
  private final Map<String, String> runHeaders =
      headers("x-github-event", "workflow_run", "x-github-delivery", "0b989ba4-242f-11e5-81e1-c7b6966d2516");

  @Test
  @DisplayName("a requested run is pending, with the run's commit, branch, URL and repository/workflow name")
  void requested() {
    JsonObject body = load("github/workflow-run-requested.json");

    assertThat(parser.parse(runHeaders, body)).containsExactly(
        new BuildCompleted("30433642", "pending", "queued", HEAD, "main", URL, "Octo-Org/payments/Build", List.of()));
    assertThat(parser.deliveryId(runHeaders, body)).isEqualTo("0b989ba4-242f-11e5-81e1-c7b6966d2516");
  }

  @Test
  @DisplayName("an in-progress run is running and not terminal")
  void inProgress() {
    BuildCompleted b = (BuildCompleted) parser.parse(runHeaders, load("github/workflow-run-in-progress.json")).get(0);

    assertThat(b.status()).isEqualTo("running");
    assertThat(b.vendorStatus()).isEqualTo("in_progress");
    assertThat(b.terminal()).isFalse();
  }

  @Test
  @DisplayName("a completed run reports its conclusion as vendor status")
  void completed() {
    BuildCompleted ok = (BuildCompleted) parser.parse(runHeaders, load("github/workflow-run-completed-success.json")).get(0);
    BuildCompleted ko = (BuildCompleted) parser.parse(runHeaders, load("github/workflow-run-completed-failure.json")).get(0);

    assertThat(ok.status()).isEqualTo("success");
    assertThat(ok.vendorStatus()).isEqualTo("success");
    assertThat(ko.status()).isEqualTo("failed");
    assertThat(ko.vendorStatus()).isEqualTo("failure");
    assertThat(ko.terminal()).isTrue();
  }

  @ParameterizedTest(name = "status={0} conclusion={1} -> {2}")
  @CsvSource(nullValues = "null", value = {
      "requested, null, pending, queued-like, false",
      "queued, null, pending, queued-like, false",
      "pending, null, pending, queued-like, false",
      "waiting, null, pending, queued-like, false",
      "in_progress, null, running, in_progress, false",
      "some_future_status, null, pending, queued-like, false",
      "completed, success, success, success, true",
      "completed, neutral, success, neutral, true",
      "completed, failure, failed, failure, true",
      "completed, timed_out, failed, timed_out, true",
      "completed, startup_failure, failed, startup_failure, true",
      "completed, action_required, failed, action_required, true",
      "completed, stale, failed, stale, true",
      "completed, cancelled, cancelled, cancelled, true",
      "completed, skipped, cancelled, skipped, true",
      "completed, some_future_conclusion, failed, some_future_conclusion, true",
      "completed, null, failed, completed, true"})
  @DisplayName("every workflow_run status and conclusion maps to one normalised status")
  void statusTable(String status, String conclusion, String normalised, String vendor, boolean terminal) {
    JsonObject body = load("github/workflow-run-completed-success.json");
    body.getJsonObject("workflow_run").put("status", status).put("conclusion", conclusion);

    BuildCompleted b = (BuildCompleted) parser.parse(runHeaders, body).get(0);

    assertThat(b.status()).isEqualTo(normalised);
    assertThat(b.vendorStatus()).isEqualTo(vendor.equals("queued-like") ? status : vendor);
    assertThat(b.terminal()).isEqualTo(terminal);
  }

  @Test
  @DisplayName("ping and other GitHub events are ignored")
  void pingAndOthers() {
    assertThat(parser.parse(headers("x-github-event", "ping"), load("github/ping.json"))).singleElement()
        .isInstanceOfSatisfying(Ignored.class, i -> assertThat(i.reason()).contains("ping"));
    assertThat(parser.parse(headers("x-github-event", "package"), load("ghcr/package-published-tagged.json")))
        .singleElement().isInstanceOfSatisfying(Ignored.class, i -> assertThat(i.reason()).contains("package"));
  }

  @Test
  @DisplayName("without X-GitHub-Event a body with workflow_run is read as one; anything else is unrecognised")
  void noHeader() {
    assertThat(parser.parse(Map.of(), load("github/workflow-run-in-progress.json"))).singleElement().isInstanceOf(BuildCompleted.class);
    assertThatThrownBy(() -> parser.parse(Map.of(), load("gitlab/pipeline-success.json"))).isInstanceOf(UnrecognisedPayloadException.class);
  }
}
