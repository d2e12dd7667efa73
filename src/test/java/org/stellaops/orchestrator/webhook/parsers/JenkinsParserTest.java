package org.stellaops.orchestrator.webhook.parsers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.stellaops.orchestrator.webhook.parsers.Fixtures.load;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.stellaops.orchestrator.webhook.WebhookEvent.Artifact;
import org.stellaops.orchestrator.webhook.WebhookEvent.BuildCompleted;
import org.stellaops.orchestrator.webhook.WebhookEvent.Ignored;
import org.stellaops.orchestrator.webhook.parsers.PayloadParser.UnrecognisedPayloadException;

class JenkinsParserTest {

  static final String COMMIT = "c6d86dc654b12425e706bcf951adfe5a8627a517";
  static final String BUILD_URL = "https://jenkins.example.com/job/payments/job/build-image/18/";

  private final JenkinsParser parser = new JenkinsParser();

  @Test
  @DisplayName("a COMPLETED SUCCESS notification is a successful build named job#number with the SCM commit and branch")
  void completedSuccess() {
    assertThat(parser.parse(Map.of(), load("jenkins/notification-completed-success.json"))).containsExactly(
        new BuildCompleted("build-image#18", "success", "SUCCESS", COMMIT, "origin/main", BUILD_URL, "build-image", List.of()));
  }

  @Test
  @DisplayName("a STARTED notification is running, ignoring the previous build's result it carries")
  void started() {
    BuildCompleted b = (BuildCompleted) parser.parse(Map.of(), load("jenkins/notification-started.json")).get(0);

    assertThat(b.status()).isEqualTo("running");
    assertThat(b.vendorStatus()).isEqualTo("STARTED");
    assertThat(b.terminal()).isFalse();
  }

  @Test
  @DisplayName("a QUEUED notification is pending; FINALIZED UNSTABLE is failed")
  void queuedAndUnstable() {
    assertThat(((BuildCompleted) parser.parse(Map.of(), load("jenkins/notification-queued.json")).get(0)).status()).isEqualTo("pending");
    BuildCompleted unstable = (BuildCompleted) parser.parse(Map.of(), load("jenkins/notification-finalized-unstable.json")).get(0);
    assertThat(unstable.status()).isEqualTo("failed");
    assertThat(unstable.vendorStatus()).isEqualTo("UNSTABLE");
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource(nullValues = "null", value = {
      "QUEUED, null, pending, false",
      "STARTED, SUCCESS, running, false",
      "COMPLETED, SUCCESS, success, true",
      "COMPLETED, UNSTABLE, failed, true",
      "COMPLETED, FAILURE, failed, true",
      "COMPLETED, ABORTED, cancelled, true",
      "COMPLETED, NOT_BUILT, cancelled, true",
      "COMPLETED, null, failed, true",
      "FINALIZED, SUCCESS, success, true",
      "FINALIZED, UNSTABLE, failed, true",
      "FINALIZED, FAILURE, failed, true",
      "FINALIZED, ABORTED, cancelled, true",
      "FINALIZED, NOT_BUILT, cancelled, true"})
  @DisplayName("every Notification plugin phase and result maps to one normalised status")
  void notificationTable(String phase, String result, String normalised, boolean terminal) {
    JsonObject body = load("jenkins/notification-completed-success.json");
    body.getJsonObject("build").put("phase", phase).put("status", result);

    BuildCompleted b = (BuildCompleted) parser.parse(Map.of(), body).get(0);

    assertThat(b.status()).isEqualTo(normalised);
    assertThat(b.terminal()).isEqualTo(terminal);
  }

  @Test
  @DisplayName("a DELETED notification is ignored")
  void deleted() {
    JsonObject body = load("jenkins/notification-completed-success.json");
    body.getJsonObject("build").put("phase", "DELETED");

    assertThat(parser.parse(Map.of(), body)).singleElement().isInstanceOf(Ignored.class);
  }

  @Test
  @DisplayName("the generic ci-status body keeps its buildId and status word")
  void ciStatus() {
    assertThat(parser.parse(Map.of(), load("jenkins/ci-status.json"))).containsExactly(
        new BuildCompleted("142", "success", "success", "9fceb02d0ae598e95dc970b74767f19372d61af8", null, null, null, List.of()));
  }

  @Test
  @DisplayName("the generic build-complete body carries its artifacts")
  void buildComplete() {
    BuildCompleted b = (BuildCompleted) parser.parse(Map.of(), load("jenkins/build-complete.json")).get(0);

    assertThat(b.buildId()).isEqualTo("12345");
    assertThat(b.status()).isEqualTo("success");
    assertThat(b.commit()).isEqualTo("abc123def456");
    assertThat(b.artifacts()).containsExactly(
        new Artifact("myapp", "sha256:" + "ab".repeat(32), "registry.example.com/myorg/myapp"),
        new Artifact("myapp-worker", "sha256:" + "cd".repeat(32), "registry.example.com/myorg/myapp-worker"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "success, success", "SUCCESS, success",
      "failed, failed", "failure, failed", "FAILURE, failed", "unstable, failed",
      "cancelled, cancelled", "canceled, cancelled", "aborted, cancelled", "ABORTED, cancelled", "not_built, cancelled",
      "running, running", "pending, pending"})
  @DisplayName("every generic status word maps to one normalised status, case-insensitively")
  void genericStatusTable(String word, String normalised) {
    JsonObject body = load("jenkins/ci-status.json").put("status", word);

    BuildCompleted b = (BuildCompleted) parser.parse(Map.of(), body).get(0);

    assertThat(b.status()).isEqualTo(normalised);
    assertThat(b.vendorStatus()).isEqualTo(word);
  }

  @Test
  @DisplayName("an unknown status word in the generic body is rejected rather than guessed")
  void unknownWord() {
    assertThatThrownBy(() -> parser.parse(Map.of(), load("jenkins/ci-status.json").put("status", "green")))
        .isInstanceOf(UnrecognisedPayloadException.class).hasMessageContaining("green");
  }

  @Test
  @DisplayName("Jenkins bodies carry no delivery id, and a foreign body is unrecognised")
  void noIdAndForeign() {
    assertThat(parser.deliveryId(Map.of(), load("jenkins/notification-completed-success.json"))).isNull();
    assertThatThrownBy(() -> parser.parse(Map.of(), load("quay/repo-push.json"))).isInstanceOf(UnrecognisedPayloadException.class);
  }
}
