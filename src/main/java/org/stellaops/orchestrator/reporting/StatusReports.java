package org.stellaops.orchestrator.reporting;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.SqlConnection;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stellaops.orchestrator.integration.Integration;
import org.stellaops.orchestrator.integration.IntegrationService;
import org.stellaops.orchestrator.integration.IntegrationType;
import org.stellaops.orchestrator.integration.ResolvedIntegration;
import org.stellaops.orchestrator.platform.Backoff;

/**
 * Deployment reports to GitHub and GitLab behind a durable outbox. {@link #enqueue} writes, in
 * the transaction of the promotion change they report, per
 * reporting integration (the {@code scm.github} / {@code scm.gitlab} integration whose
 * {@code webUrl} the release's {@code sourceRef.repository} starts with), one row for GitHub's
 * Deployments API, or two for GitLab (a commit status and a Deployments API entry, which shows the
 * promotion on GitLab's Environments page); {@link #sendDue} sends them in order per job and
 * integration, retrying 429/5xx/network errors with backoff. A report that cannot be sent is
 * recorded as failed; it never fails the deployment.
 *
 * <p>Phases: {@code start}, {@code success}, {@code failure} (the deploy failed), {@code error} (the
 * gateway could not run a step), {@code cancelled} (the promotion was cancelled or rejected).
 * Optional fields without a value are left out, never sent as null: GitHub's schemas type them as
 * strings and answer null with 422.
 */
public final class StatusReports {

  private static final Logger LOG = LoggerFactory.getLogger(StatusReports.class);
  private static final String GITHUB = "github";
  private static final String GITLAB = "gitlab";
  private static final String GITLAB_DEPLOYMENT = "gitlab_deployment";

  private final StatusReportRepository reports;
  private final IntegrationService integrations;
  private final WebClient http;
  private final String publicUrl;
  private final MeterRegistry registry;
  private final GitHubAppTokens appTokens;

  public StatusReports(StatusReportRepository reports, IntegrationService integrations, WebClient http,
      String publicUrl, MeterRegistry registry) {
    this.reports = reports;
    this.integrations = integrations;
    this.http = http;
    this.publicUrl = publicUrl == null ? "" : publicUrl.strip().replaceAll("/+$", "");
    this.registry = registry;
    // Every series exists at 0 from the start, so an alert's increase() sees the first failure.
    for (String reporter : List.of(GITHUB, GITLAB, GITLAB_DEPLOYMENT)) {
      for (String outcome : List.of("sent", "retry", "failed")) {
        counter(reporter, outcome);
      }
    }
    this.appTokens = new GitHubAppTokens(http, java.time.Clock.systemUTC());
  }

  /** Where one of a deployment's reports goes: a reporting integration and one of its reporters. */
  public record Target(UUID integrationId, String reporter) {}

  /**
   * Where the reports of a deployment of {@code releaseId} go, in sending order; none when the
   * release names no source repository and commit. Read before the transaction that queues the
   * reports, so that transaction never waits for a second connection.
   */
  public Future<List<Target>> targets(UUID releaseId) {
    return reports.sourceRef(releaseId).compose(sourceRef -> {
      String repository = sourceRef.map(ref -> ref.getString("repository")).orElse(null);
      if (repository == null || sourceRef.get().getString("commit") == null) {
        LOG.info("release {} has no sourceRef repository and commit; its deployments are not reported", releaseId);
        return Future.succeededFuture(List.<Target>of());
      }
      return Future.all(integrations.list(IntegrationType.SCM_GITHUB.wire(), null, "200"),
              integrations.list(IntegrationType.SCM_GITLAB.wire(), null, "200"))
          .map(pages -> {
            List<Target> targets = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
              org.stellaops.orchestrator.platform.Page<Integration> page = pages.resultAt(i);
              for (Integration integration : page.items()) {
                if (repository.startsWith(webUrl(integration.type(), integration.config()))) {
                  reporters(integration.type()).forEach(r -> targets.add(new Target(integration.id(), r)));
                }
              }
            }
            return targets;
          });
    });
  }

  /**
   * Queues the reports of one phase (start, success, failure, error, cancelled) of a deployment
   * job on {@code conn}, the connection of the transaction that makes the change they report.
   */
  public Future<Void> enqueue(SqlConnection conn, UUID jobId, List<Target> targets, String phase) {
    // One after the other, so the outbox ids (the sending order) follow the targets' order.
    Future<Void> inserts = Future.succeededFuture();
    for (Target target : targets) {
      inserts = inserts.compose(v -> reports.insert(conn, jobId, target.integrationId(), target.reporter(), phase));
    }
    return inserts;
  }

  static List<String> reporters(IntegrationType type) {
    return type == IntegrationType.SCM_GITHUB ? List.of(GITHUB) : List.of(GITLAB, GITLAB_DEPLOYMENT);
  }

  /** Sends what is due; called on a timer. Never fails. */
  public Future<Void> sendDue() {
    return reports.claim(50).compose(due -> {
      Future<Void> chain = Future.succeededFuture();
      for (StatusReportRepository.Report report : due) {
        chain = chain.compose(v -> send(report));
      }
      return chain;
    }).recover(e -> {
      LOG.warn("status report round failed: {}", e.getMessage());
      return Future.succeededFuture();
    });
  }

  private Future<Void> send(StatusReportRepository.Report report) {
    return Future.all(integrations.resolve(report.integrationId()), reports.context(report.jobId()))
        .compose(both -> {
          java.util.Optional<ResolvedIntegration> integration = both.resultAt(0);
          java.util.Optional<JsonObject> context = both.resultAt(1);
          if (integration.isEmpty() || context.isEmpty()) {
            throw new Permanent("integration or deployment job no longer exists");
          }
          return switch (report.reporter()) {
            case GITHUB -> github(report, integration.get(), context.get());
            case GITLAB_DEPLOYMENT -> gitlabDeployment(report, integration.get(), context.get());
            default -> gitlab(report, integration.get(), context.get());
          };
        })
        .compose(v -> {
          count(report.reporter(), "sent");
          return reports.sent(report.id());
        })
        .recover(e -> {
          boolean giveUp = e instanceof Permanent || Backoff.DELIVERIES.giveUp(report.attempts());
          count(report.reporter(), giveUp ? "failed" : "retry");
          LOG.warn("{} status report {} ({}) {}: {}", report.reporter(), report.id(), report.phase(),
              giveUp ? "failed" : "will be retried", e.getMessage());
          return reports.retry(report.id(), String.valueOf(e.getMessage()),
              Backoff.DELIVERIES.delaySeconds(report.attempts()), giveUp);
        })
        .recover(e -> Future.succeededFuture());
  }

  /**
   * GitHub's Deployments API: create the deployment once
   * (https://docs.github.com/en/rest/deployments/deployments#create-a-deployment), then one deployment status
   * per phase (https://docs.github.com/en/rest/deployments/statuses#create-a-deployment-status).
   */
  private Future<Void> github(StatusReportRepository.Report report, ResolvedIntegration integration,
      JsonObject context) {
    String repo = apiUrl(integration) + "/repos/" + repositoryPath(integration, context);
    return githubDeployment(report, integration, context, repo).compose(deploymentId -> {
      JsonObject status = githubStatus(report.phase(), logUrl(context), context.getString("environmentUrl"));
      return send(integration, HttpMethod.POST, repo + "/deployments/" + deploymentId + "/statuses", status)
          .mapEmpty();
    });
  }

  private Future<Long> githubDeployment(StatusReportRepository.Report report, ResolvedIntegration integration,
      JsonObject context, String repo) {
    return reports.githubDeployment(report.jobId(), integration.id()).compose(existing -> {
      if (existing.isPresent()) {
        return Future.succeededFuture(existing.get());
      }
      JsonObject sourceRef = context.getJsonObject("sourceRef");
      JsonObject body = new JsonObject()
          .put("ref", sourceRef.getString("commit"))
          .put("environment", context.getString("environment"))
          .put("auto_merge", false)
          .put("required_contexts", new JsonArray())
          .put("payload", new JsonObject().put("stellaReleaseId", context.getString("releaseId"))
              .put("stellaPromotionId", context.getString("promotionId")))
          .put("description", "Stella release " + context.getString("releaseName"));
      return send(integration, HttpMethod.POST, repo + "/deployments", body).compose(response -> {
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

  /**
   * A deployment status body. {@code log_url} and {@code environment_url} are left out when there is no
   * value (no public URL, an environment without a url); {@code auto_inactive} is left to GitHub's default,
   * which marks the environment's earlier successful deployments inactive on a new success. Pure.
   */
  static JsonObject githubStatus(String phase, String logUrl, String environmentUrl) {
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

  private static void putIfPresent(JsonObject body, String field, String value) {
    if (value != null && !value.isBlank()) {
      body.put(field, value);
    }
  }

  /** A commit status named {@code stella/<environment>} (https://docs.gitlab.com/api/commits/#set-the-pipeline-status-of-a-commit). */
  private Future<Void> gitlab(StatusReportRepository.Report report, ResolvedIntegration integration,
      JsonObject context) {
    JsonObject sourceRef = context.getJsonObject("sourceRef");
    String project = URLEncoder.encode(repositoryPath(integration, context), StandardCharsets.UTF_8);
    String url = apiUrl(integration) + "/projects/" + project + "/statuses/" + sourceRef.getString("commit");
    String state = gitlabState(report.phase());
    String env = context.getString("environment");
    JsonObject body = new JsonObject().put("state", state).put("name", "stella/" + env)
        .put("description", gitlabDescription(state, env));
    putIfPresent(body, "ref", sourceRef.getString("tag") != null ? sourceRef.getString("tag")
        : sourceRef.getString("branch"));
    putIfPresent(body, "target_url", logUrl(context));
    return send(integration, HttpMethod.POST, url, body).mapEmpty();
  }

  /**
   * GitLab's Deployments API, so promotions show on the project's Environments page: the deployment is
   * created {@code running} once (https://docs.gitlab.com/api/deployments/#create-a-deployment), and the
   * final phase updates it to {@code success}, {@code failed} or {@code canceled}
   * (https://docs.gitlab.com/api/deployments/#update-a-deployment). GitLab creates the environment on first use.
   */
  private Future<Void> gitlabDeployment(StatusReportRepository.Report report, ResolvedIntegration integration,
      JsonObject context) {
    String project = apiUrl(integration) + "/projects/"
        + URLEncoder.encode(repositoryPath(integration, context), StandardCharsets.UTF_8) + "/deployments";
    return reports.gitlabDeployment(report.jobId(), integration.id())
        .compose(existing -> existing.isPresent() ? Future.succeededFuture(existing.get())
            : createGitlabDeployment(report, integration, context, project))
        .compose(id -> "start".equals(report.phase())
            ? Future.succeededFuture()
            : send(integration, HttpMethod.PUT, project + "/" + id,
                new JsonObject().put("status", gitlabDeploymentStatus(report.phase()))).mapEmpty());
  }

  private Future<Long> createGitlabDeployment(StatusReportRepository.Report report, ResolvedIntegration integration,
      JsonObject context, String project) {
    JsonObject body = gitlabDeploymentBody(context.getJsonObject("sourceRef"), context.getString("environment"));
    if (body == null) {
      return Future.failedFuture(new Permanent("the release's sourceRef names neither a tag nor a branch, and a "
          + "GitLab deployment needs the ref that was deployed"));
    }
    return send(integration, HttpMethod.POST, project, body).compose(response -> {
      long id = response.bodyAsJsonObject().getLong("id");
      return reports.saveGitlabDeployment(report.jobId(), integration.id(), id)
          .compose(v -> reports.gitlabDeployment(report.jobId(), integration.id()))
          .map(saved -> saved.orElse(id));
    });
  }

  /** The create body: {@code ref} the tag (then {@code tag: true}) or else the branch; null without either. Pure. */
  static JsonObject gitlabDeploymentBody(JsonObject sourceRef, String environment) {
    String tag = sourceRef.getString("tag");
    String ref = tag != null ? tag : sourceRef.getString("branch");
    if (ref == null || ref.isBlank()) {
      return null;
    }
    return new JsonObject().put("environment", environment).put("sha", sourceRef.getString("commit"))
        .put("ref", ref).put("tag", tag != null).put("status", "running");
  }

  /** GitLab deployments know no "error": a step the gateway could not run failed the deployment. Pure. */
  static String gitlabDeploymentStatus(String phase) {
    return switch (phase) {
      case "start" -> "running";
      case "success" -> "success";
      case "cancelled" -> "canceled";
      default -> "failed";
    };
  }

  static String gitlabState(String phase) {
    return switch (phase) {
      case "start" -> "running";
      case "success" -> "success";
      case "cancelled" -> "canceled";
      default -> "failed";
    };
  }

  /** Exactly the page's getDescription. Pure. */
  static String gitlabDescription(String state, String environment) {
    return switch (state) {
      case "running" -> "Deploying to " + environment;
      case "success" -> "Deployed to " + environment;
      case "failed" -> "Deployment to " + environment + " failed";
      case "canceled" -> "Deployment to " + environment + " cancelled";
      default -> "";
    };
  }

  private Future<HttpResponse<Buffer>> send(ResolvedIntegration integration, HttpMethod method, String url,
      JsonObject body) {
    Future<String> token = integration.type() == IntegrationType.SCM_GITHUB && GitHubAppTokens.isApp(integration)
        ? appTokens.token(integration, apiUrl(integration))
        : Future.succeededFuture(integration.credential("token"));
    return token.compose(t -> send(integration, method, url, body, t));
  }

  private Future<HttpResponse<Buffer>> send(ResolvedIntegration integration, HttpMethod method, String url,
      JsonObject body, String token) {
    var request = http.requestAbs(method, url).timeout(10_000).putHeader("Content-Type", "application/json");
    if (integration.type() == IntegrationType.SCM_GITHUB) {
      request.putHeader("Accept", "application/vnd.github+json").putHeader("X-GitHub-Api-Version", "2022-11-28");
      if (token != null) {
        request.putHeader("Authorization", "Bearer " + token);
      }
    } else if (token != null) {
      request.putHeader("PRIVATE-TOKEN", token);
    }
    return request.sendJsonObject(body).map(response -> {
      int status = response.statusCode();
      if (status / 100 == 2) {
        return response;
      }
      String text = response.bodyAsString();
      if (status == 400 && text != null && text.contains("Cannot transition status")) {
        // GitLab refuses to re-post the state a status already has: it is already reported.
        return response;
      }
      if (status == 429 || status >= 500) {
        throw new IllegalStateException(integration.name() + " answered " + status);
      }
      throw new Permanent(integration.name() + " answered " + status + ": " + (text == null ? "" : text));
    });
  }

  /** The deployment's page on the gateway; null when no public URL is configured. */
  private String logUrl(JsonObject context) {
    return publicUrl.isEmpty() ? null : publicUrl + "/api/v1/deployments/" + context.getString("jobId");
  }

  static String webUrl(IntegrationType type, JsonObject config) {
    String configured = config.getString("webUrl");
    String url = configured != null ? configured : type == IntegrationType.SCM_GITHUB ? "https://github.com"
        : "https://gitlab.com";
    return url.replaceAll("/+$", "");
  }

  private static String apiUrl(ResolvedIntegration integration) {
    String configured = integration.config().getString("apiUrl");
    if (configured != null) {
      return configured.replaceAll("/+$", "");
    }
    return integration.type() == IntegrationType.SCM_GITHUB ? "https://api.github.com"
        : webUrl(integration.type(), integration.config()) + "/api/v4";
  }

  /** {@code owner/repo} (GitHub) or {@code group/project} (GitLab) from the release's repository URL. */
  static String repositoryPath(ResolvedIntegration integration, JsonObject context) {
    String repository = context.getJsonObject("sourceRef").getString("repository");
    String path = repository.substring(webUrl(integration.type(), integration.config()).length());
    path = path.replaceAll("^/+", "").replaceAll("/+$", "");
    return path.endsWith(".git") ? path.substring(0, path.length() - 4) : path;
  }

  private void count(String reporter, String outcome) {
    counter(reporter, outcome).increment();
  }

  private Counter counter(String reporter, String outcome) {
    return Counter.builder("stella.status.reports").tag("reporter", reporter).tag("outcome", outcome)
        .description("Deployment status reports by reporter and outcome").register(registry);
  }

  /** A report that retrying cannot fix (4xx other than 429, a vanished job). */
  static final class Permanent extends RuntimeException {
    Permanent(String message) {
      super(message, null, false, false);
    }
  }
}
