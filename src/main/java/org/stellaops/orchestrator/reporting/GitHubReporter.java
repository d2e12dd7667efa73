package org.stellaops.orchestrator.reporting;

import static org.stellaops.orchestrator.reporting.ReportClient.putIfPresent;

import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.stellaops.orchestrator.integration.ResolvedIntegration;

/**
 * A deployment's reports to GitHub's Deployments API: the deployment is created once
 * (https://docs.github.com/en/rest/deployments/deployments#create-a-deployment) and its id kept, then one
 * deployment status is posted per phase
 * (https://docs.github.com/en/rest/deployments/statuses#create-a-deployment-status).
 */
final class GitHubReporter {

  private final StatusReportRepository reports;
  private final ReportClient client;

  GitHubReporter(StatusReportRepository reports, ReportClient client) {
    this.reports = reports;
    this.client = client;
  }

  Future<Void> send(StatusReportRepository.Report report, ResolvedIntegration integration, JsonObject context,
      String logUrl) {
    String repo = ReportClient.apiUrl(integration) + "/repos/" + ReportClient.repositoryPath(integration, context);
    return deployment(report, integration, context, repo).compose(deploymentId -> {
      JsonObject status = status(report.phase(), logUrl, context.getString("environmentUrl"));
      return client.send(integration, HttpMethod.POST, repo + "/deployments/" + deploymentId + "/statuses", status)
          .mapEmpty();
    });
  }

  private Future<Long> deployment(StatusReportRepository.Report report, ResolvedIntegration integration,
      JsonObject context, String repo) {
    return reports.githubDeployment(report.jobId(), integration.id()).compose(existing -> {
      if (existing.isPresent()) {
        return Future.succeededFuture(existing.get());
      }
      return client.send(integration, HttpMethod.POST, repo + "/deployments", deploymentBody(context))
          .compose(response -> {
            if (response.statusCode() == 202) {
              // GitHub merged the default branch into ref instead of creating a deployment; try again later.
              throw new IllegalStateException("GitHub answered 202 (auto-merge) instead of creating the deployment");
            }
            long id = response.bodyAsJsonObject().getLong("id");
            return reports.saveGithubDeployment(report.jobId(), integration.id(), id)
                .compose(v -> reports.githubDeployment(report.jobId(), integration.id()))
                .map(saved -> saved.orElse(id));
          });
    });
  }

  /** The create body: the commit, no auto-merge and no required status checks. Pure. */
  static JsonObject deploymentBody(JsonObject context) {
    JsonObject sourceRef = context.getJsonObject("sourceRef");
    return new JsonObject()
        .put("ref", sourceRef.getString("commit"))
        .put("environment", context.getString("environment"))
        .put("auto_merge", false)
        .put("required_contexts", new JsonArray())
        .put("payload", new JsonObject().put("stellaReleaseId", context.getString("releaseId"))
            .put("stellaPromotionId", context.getString("promotionId")))
        .put("description", "Stella release " + context.getString("releaseName"));
  }

  /**
   * A deployment status body. {@code log_url} and {@code environment_url} are left out when there is no
   * value (no public URL, an environment without a url); {@code auto_inactive} is left to GitHub's default,
   * which marks the environment's earlier successful deployments inactive on a new success. Pure.
   */
  static JsonObject status(String phase, String logUrl, String environmentUrl) {
    JsonObject body = switch (phase) {
      case "start" -> new JsonObject().put("state", "in_progress").put("description", "Deployment in progress");
      case "success" -> new JsonObject().put("state", "success").put("description", "Deployment completed successfully");
      case "cancelled" -> new JsonObject().put("state", "inactive").put("description", "Deployment cancelled");
      case "error" -> new JsonObject().put("state", "error")
          .put("description", "The gateway could not carry out the deployment");
      default -> new JsonObject().put("state", "failure").put("description", "Deployment failed");
    };
    putIfPresent(body, "log_url", logUrl);
    if (!"start".equals(phase) && !"cancelled".equals(phase)) {
      putIfPresent(body, "environment_url", environmentUrl);
    }
    return body;
  }
}
