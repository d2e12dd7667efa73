package org.stellaops.orchestrator.reporting;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.SqlConnection;
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
 *
 * <p>This class is the outbox (queueing, the sending loop, retries, metrics); the requests are built by
 * {@link GitHubReporter} and {@link GitLabReporter} and sent by {@link ReportClient}.
 */
public final class StatusReports {

  private static final Logger LOG = LoggerFactory.getLogger(StatusReports.class);
  private static final String GITHUB = "github";
  private static final String GITLAB = "gitlab";
  private static final String GITLAB_DEPLOYMENT = "gitlab_deployment";

  private final StatusReportRepository reports;
  private final IntegrationService integrations;
  private final String publicUrl;
  private final MeterRegistry registry;
  private final GitHubReporter github;
  private final GitLabReporter gitlab;

  public StatusReports(StatusReportRepository reports, IntegrationService integrations, WebClient http,
      String publicUrl, MeterRegistry registry) {
    this.reports = reports;
    this.integrations = integrations;
    this.publicUrl = publicUrl == null ? "" : publicUrl.strip().replaceAll("/+$", "");
    this.registry = registry;
    // Every series exists at 0 from the start, so an alert's increase() sees the first failure.
    for (String reporter : List.of(GITHUB, GITLAB, GITLAB_DEPLOYMENT)) {
      for (String outcome : List.of("sent", "retry", "failed")) {
        counter(reporter, outcome);
      }
    }
    ReportClient client = new ReportClient(http);
    this.github = new GitHubReporter(reports, client);
    this.gitlab = new GitLabReporter(reports, client);
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
                if (repository.startsWith(ReportClient.webUrl(integration.type(), integration.config()))) {
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
            throw new ReportClient.Permanent("integration or deployment job no longer exists");
          }
          return switch (report.reporter()) {
            case GITHUB -> github.send(report, integration.get(), context.get(), logUrl(context.get()));
            case GITLAB_DEPLOYMENT -> gitlab.deployment(report, integration.get(), context.get());
            default -> gitlab.commitStatus(report, integration.get(), context.get(), logUrl(context.get()));
          };
        })
        .compose(v -> {
          count(report.reporter(), "sent");
          return reports.sent(report.id());
        })
        .recover(e -> {
          boolean giveUp = e instanceof ReportClient.Permanent || Backoff.DELIVERIES.giveUp(report.attempts());
          count(report.reporter(), giveUp ? "failed" : "retry");
          LOG.warn("{} status report {} ({}) {}: {}", report.reporter(), report.id(), report.phase(),
              giveUp ? "failed" : "will be retried", e.getMessage());
          return reports.retry(report.id(), String.valueOf(e.getMessage()),
              Backoff.DELIVERIES.delaySeconds(report.attempts()), giveUp);
        })
        .recover(e -> Future.succeededFuture());
  }

  /** The deployment's page on the gateway; null when no public URL is configured. */
  private String logUrl(JsonObject context) {
    return publicUrl.isEmpty() ? null : publicUrl + "/api/v1/deployments/" + context.getString("jobId");
  }

  private void count(String reporter, String outcome) {
    counter(reporter, outcome).increment();
  }

  private Counter counter(String reporter, String outcome) {
    return Counter.builder("stella.status.reports").tag("reporter", reporter).tag("outcome", outcome)
        .description("Deployment status reports by reporter and outcome").register(registry);
  }
}
