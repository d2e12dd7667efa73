package org.stellaops.orchestrator.webhook.parsers;

import static org.stellaops.orchestrator.webhook.parsers.Fields.arr;
import static org.stellaops.orchestrator.webhook.parsers.Fields.obj;
import static org.stellaops.orchestrator.webhook.parsers.Fields.text;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.stellaops.orchestrator.ci.RunStatus;
import org.stellaops.orchestrator.webhook.WebhookEvent;
import org.stellaops.orchestrator.webhook.WebhookEvent.Artifact;
import org.stellaops.orchestrator.webhook.WebhookEvent.BuildCompleted;
import org.stellaops.orchestrator.webhook.WebhookEvent.Ignored;

/**
 * Jenkins, in the two shapes a Jenkins job can send:
 * <ul>
 *   <li>the Notification plugin's JSON (plugins.jenkins.io/notification; jenkinsci/notification-plugin
 *       {@code JobState}/{@code BuildState}): {@code {name, url, build{full_url, number, phase, status, url,
 *       scm{url, branch, commit}}}};
 *   <li>the generic bodies a Jenkinsfile posts with {@code httpRequest}: {@code POST /webhooks/ci-status}
 *       {@code {buildId, status, commit}} and {@code POST /ci-events/build-complete} {@code {integrationId,
 *       buildId, status, commit, artifacts[{name, digest, repository}], testResults}}.
 * </ul>
 * Neither carries a delivery id, so the caller de-duplicates on a hash of the body.
 */
public final class JenkinsParser implements PayloadParser {

  @Override
  public String deliveryId(Map<String, String> headers, JsonObject body) {
    return null;
  }

  @Override
  public List<WebhookEvent> parse(Map<String, String> headers, JsonObject body) {
    JsonObject build = obj(body, "build");
    if (build != null) {
      return notification(body, build);
    }
    if (text(body, "buildId") != null) {
      return genericBody(body);
    }
    throw new UnrecognisedPayloadException(
        "expected a Jenkins Notification plugin body {name, build{number, phase, status}} or {buildId, status, commit}");
  }

  private static List<WebhookEvent> notification(JsonObject body, JsonObject build) {
    String name = text(body, "name");
    String number = text(build, "number");
    String phase = text(build, "phase");
    if (name == null || number == null || phase == null) {
      throw new UnrecognisedPayloadException("expected name, build.number and build.phase in a Jenkins notification");
    }
    String status = text(build, "status");
    String normalised = notificationStatus(phase, status);
    if (normalised == null) {
      return List.of(new Ignored("Jenkins " + phase + " notification for " + name + " #" + number + " is not a build state"));
    }
    // Before completion the plugin's status is the previous build's result, so the phase is the vendor word.
    String vendorStatus = BuildStatus.terminal(normalised) && status != null ? status : phase;
    return List.of(new BuildCompleted(name + "#" + number, normalised, vendorStatus, text(build, "scm", "commit"),
        text(build, "scm", "branch"), text(build, "full_url"), name, List.of()));
  }

  /**
   * Notification plugin phase and result onto the normalised words; null for a phase that is not a
   * build state (DELETED). COMPLETED (result known, post-build steps pending) and FINALIZED (all done)
   * both carry the final result; a job may be set to send either or both.
   */
  static String notificationStatus(String phase, String status) {
    return switch (phase.toUpperCase(Locale.ROOT)) {
      case "QUEUED" -> BuildStatus.PENDING;
      case "STARTED" -> BuildStatus.RUNNING;
      case "COMPLETED", "FINALIZED" -> RunStatus.jenkinsResult(status);
      default -> null;
    };
  }

  private static List<WebhookEvent> genericBody(JsonObject body) {
    String buildId = text(body, "buildId");
    String status = text(body, "status");
    String normalised = status == null ? null : genericStatus(status);
    if (normalised == null) {
      throw new UnrecognisedPayloadException("expected status to be one of success, failed, failure, cancelled, "
          + "canceled, aborted, running, pending (got " + status + ")");
    }
    List<Artifact> artifacts = new ArrayList<>();
    JsonArray list = arr(body, "artifacts");
    if (list != null) {
      for (Object a : list) {
        if (a instanceof JsonObject artifact) {
          artifacts.add(new Artifact(text(artifact, "name"), text(artifact, "digest"), text(artifact, "repository")));
        }
      }
    }
    return List.of(new BuildCompleted(buildId, normalised, status, text(body, "commit"), text(body, "ref"),
        text(body, "url"), text(body, "pipelineName"), List.copyOf(artifacts)));
  }

  /**
   * The generic status words, case-insensitive. A Jenkinsfile usually sends
   * {@code currentBuild.currentResult} or a literal, so Jenkins' own result words are accepted too.
   * Unknown words are rejected rather than guessed: the sender is our own contract.
   */
  static String genericStatus(String status) {
    return switch (status.toLowerCase(Locale.ROOT)) {
      case "success", "succeeded", "passed" -> BuildStatus.SUCCESS;
      case "failed", "failure", "unstable", "error" -> BuildStatus.FAILED;
      case "cancelled", "canceled", "aborted", "not_built" -> BuildStatus.CANCELLED;
      case "running", "started", "in_progress" -> BuildStatus.RUNNING;
      case "pending", "queued" -> BuildStatus.PENDING;
      default -> null;
    };
  }
}
