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

class GitLabPipelineParserTest {

  static final String SHA = "bcbb5ec396a2c0f828686f14fac9b80b780504f2";

  private final GitLabPipelineParser parser = new GitLabPipelineParser();
  private final Map<String, String> hookHeaders = headers("x-gitlab-event", "Pipeline Hook",
      "x-gitlab-event-uuid", "13792a34-cac6-4fda-95a8-c58e00a3954e", "idempotency-key", "f5e5f430-f57b-4e6e-9fac-d9128cd7232f");

  @Test
  @DisplayName("a successful pipeline hook reports id, commit, ref, URL and project, ignoring the non-ISO timestamps")
  void success() {
    assertThat(parser.parse(hookHeaders, load("gitlab/pipeline-success.json"))).containsExactly(
        new BuildCompleted("31", "success", "success", SHA, "master",
            "http://example.com/gitlab-org/gitlab-test/-/pipelines/31", "gitlab-org/gitlab-test", List.of()));
  }

  @Test
  @DisplayName("a running pipeline is reported as running and not terminal")
  void running() {
    BuildCompleted b = (BuildCompleted) parser.parse(hookHeaders, load("gitlab/pipeline-running.json")).get(0);

    assertThat(b.status()).isEqualTo("running");
    assertThat(b.terminal()).isFalse();
  }

  @Test
  @DisplayName("canceled (one l) is the terminal status cancelled (two l), keeping GitLab's word as vendor status")
  void canceled() {
    BuildCompleted b = (BuildCompleted) parser.parse(hookHeaders, load("gitlab/pipeline-canceled.json")).get(0);

    assertThat(b.status()).isEqualTo("cancelled");
    assertThat(b.vendorStatus()).isEqualTo("canceled");
    assertThat(b.terminal()).isTrue();
  }

  @Test
  @DisplayName("without object_attributes.url the pipeline URL is built from project.web_url")
  void urlFallback() {
    assertThat(parser.parse(hookHeaders, load("gitlab/pipeline-success-no-url.json"))).singleElement()
        .isInstanceOfSatisfying(BuildCompleted.class,
            b -> assertThat(b.webUrl()).isEqualTo("http://192.168.64.1:3005/gitlab-org/gitlab-test/-/pipelines/31"));
  }

  @ParameterizedTest(name = "{0} -> {1} (terminal={2})")
  @CsvSource({
      "created, pending, false",
      "waiting_for_resource, pending, false",
      "preparing, pending, false",
      "pending, pending, false",
      "scheduled, pending, false",
      "manual, pending, false",
      "waiting_for_callback, pending, false",
      "running, running, false",
      "canceling, running, false",
      "success, success, true",
      "failed, failed, true",
      "canceled, cancelled, true",
      "skipped, cancelled, true",
      "some_future_status, pending, false"})
  @DisplayName("every GitLab pipeline status maps to one normalised status")
  void statusTable(String gitlab, String normalised, boolean terminal) {
    JsonObject body = load("gitlab/pipeline-success.json");
    body.getJsonObject("object_attributes").put("status", gitlab);

    BuildCompleted b = (BuildCompleted) parser.parse(hookHeaders, body).get(0);

    assertThat(b.status()).isEqualTo(normalised);
    assertThat(b.vendorStatus()).isEqualTo(gitlab);
    assertThat(b.terminal()).isEqualTo(terminal);
  }

  @Test
  @DisplayName("other hooks on the endpoint, such as a job hook, are ignored")
  void jobHook() {
    assertThat(parser.parse(headers("x-gitlab-event", "Job Hook"), load("gitlab/job-hook.json"))).singleElement()
        .isInstanceOfSatisfying(Ignored.class, i -> assertThat(i.reason()).contains("build"));
  }

  @Test
  @DisplayName("the delivery id is the retry-stable Idempotency-Key, else X-Gitlab-Event-UUID")
  void deliveryId() {
    JsonObject body = load("gitlab/pipeline-success.json");

    assertThat(parser.deliveryId(hookHeaders, body)).isEqualTo("f5e5f430-f57b-4e6e-9fac-d9128cd7232f");
    assertThat(parser.deliveryId(headers("x-gitlab-event-uuid", "13792a34-cac6-4fda-95a8-c58e00a3954e"), body))
        .isEqualTo("13792a34-cac6-4fda-95a8-c58e00a3954e");
    assertThat(parser.deliveryId(Map.of(), body)).isNull();
  }

  @Test
  @DisplayName("a body without object_kind is not a GitLab webhook")
  void notGitLab() {
    assertThatThrownBy(() -> parser.parse(Map.of(), load("jenkins/ci-status.json"))).isInstanceOf(UnrecognisedPayloadException.class);
  }
}
