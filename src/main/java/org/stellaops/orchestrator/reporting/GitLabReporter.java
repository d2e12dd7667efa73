package org.stellaops.orchestrator.reporting;

import static org.stellaops.orchestrator.reporting.ReportClient.putIfPresent;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.stellaops.orchestrator.integration.ResolvedIntegration;

/**
 * A deployment's reports to GitLab: a commit status per phase, and a Deployments API entry so the promotion
 * shows on the project's Environments page.
 */
final class GitLabReporter {

  private final StatusReportRepository reports;
  private final ReportClient client;

  GitLabReporter(StatusReportRepository reports, ReportClient client) {
    this.reports = reports;
    this.client = client;
  }

  /** A commit status named {@code stella/<environment>} (https://docs.gitlab.com/api/commits/#set-the-pipeline-status-of-a-commit). */
  Future<Void> commitStatus(StatusReportRepository.Report report, ResolvedIntegration integration,
      JsonObject context, String logUrl) {
    JsonObject sourceRef = context.getJsonObject("sourceRef");
    String project = URLEncoder.encode(ReportClient.repositoryPath(integration, context), StandardCharsets.UTF_8);
    String url = ReportClient.apiUrl(integration) + "/projects/" + project + "/statuses/"
        + sourceRef.getString("commit");
    String state = state(report.phase());
    String env = context.getString("environment");
    JsonObject body = new JsonObject().put("state", state).put("name", "stella/" + env)
        .put("description", description(state, env));
    putIfPresent(body, "ref", sourceRef.getString("tag") != null ? sourceRef.getString("tag")
        : sourceRef.getString("branch"));
    putIfPresent(body, "target_url", logUrl);
    return client.send(integration, HttpMethod.POST, url, body).mapEmpty();
  }

  /**
   * GitLab's Deployments API, so promotions show on the project's Environments page: the deployment is
   * created {@code running} once (https://docs.gitlab.com/api/deployments/#create-a-deployment), and the
   * final phase updates it to {@code success}, {@code failed} or {@code canceled}
   * (https://docs.gitlab.com/api/deployments/#update-a-deployment). GitLab creates the environment on first use.
   */
  Future<Void> deployment(StatusReportRepository.Report report, ResolvedIntegration integration,
      JsonObject context) {
    String project = ReportClient.apiUrl(integration) + "/projects/"
        + URLEncoder.encode(ReportClient.repositoryPath(integration, context), StandardCharsets.UTF_8)
        + "/deployments";
    return reports.gitlabDeployment(report.jobId(), integration.id())
        .compose(existing -> existing.isPresent() ? Future.succeededFuture(existing.get())
            : createDeployment(report, integration, context, project))
        .compose(id -> "start".equals(report.phase())
            ? Future.succeededFuture()
            : client.send(integration, HttpMethod.PUT, project + "/" + id,
                new JsonObject().put("status", deploymentStatus(report.phase()))).mapEmpty());
  }

  private Future<Long> createDeployment(StatusReportRepository.Report report, ResolvedIntegration integration,
      JsonObject context, String project) {
    JsonObject body = deploymentBody(context.getJsonObject("sourceRef"), context.getString("environment"));
    if (body == null) {
      return Future.failedFuture(new ReportClient.Permanent("the release's sourceRef names neither a tag nor a "
          + "branch, and a GitLab deployment needs the ref that was deployed"));
    }
    return client.send(integration, HttpMethod.POST, project, body).compose(response -> {
      long id = response.bodyAsJsonObject().getLong("id");
      return reports.saveGitlabDeployment(report.jobId(), integration.id(), id)
          .compose(v -> reports.gitlabDeployment(report.jobId(), integration.id()))
          .map(saved -> saved.orElse(id));
    });
  }

  /** The create body: {@code ref} the tag (then {@code tag: true}) or else the branch; null without either. Pure. */
  static JsonObject deploymentBody(JsonObject sourceRef, String environment) {
    String tag = sourceRef.getString("tag");
    String ref = tag != null ? tag : sourceRef.getString("branch");
    if (ref == null || ref.isBlank()) {
      return null;
    }
    return new JsonObject().put("environment", environment).put("sha", sourceRef.getString("commit"))
        .put("ref", ref).put("tag", tag != null).put("status", "running");
  }

  /** GitLab deployments know no "error": a step the gateway could not run failed the deployment. Pure. */
  static String deploymentStatus(String phase) {
    return switch (phase) {
      case "start" -> "running";
      case "success" -> "success";
      case "cancelled" -> "canceled";
      default -> "failed";
    };
  }

  /** A commit status's state; like a deployment's, a step the gateway could not run is "failed". Pure. */
  static String state(String phase) {
    return deploymentStatus(phase);
  }

  /** Exactly the page's getDescription. Pure. */
  static String description(String state, String environment) {
    return switch (state) {
      case "running" -> "Deploying to " + environment;
      case "success" -> "Deployed to " + environment;
      case "failed" -> "Deployment to " + environment + " failed";
      case "canceled" -> "Deployment to " + environment + " cancelled";
      default -> "";
    };
  }
}
