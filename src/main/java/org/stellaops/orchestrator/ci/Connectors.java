package org.stellaops.orchestrator.ci;

import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.stellaops.orchestrator.ci.github.GitHubConnector;
import org.stellaops.orchestrator.ci.github.WorkflowInputs;
import org.stellaops.orchestrator.ci.gitlab.GitLabConnector;
import org.stellaops.orchestrator.ci.jenkins.JenkinsConnector;
import org.stellaops.orchestrator.integration.ResolvedIntegration;

/**
 * Builds the connector for an integration. Connectors are cheap; one per call is fine. What they learn about a
 * pipeline's definition (a Jenkins job's parameters, a GitHub workflow's inputs) is kept here, across calls.
 */
public final class Connectors {

  /** A Jenkins job's parameters can change with any save of the job, so they are re-read after this long. */
  static final Duration JENKINS_PARAMETERS_TTL = Duration.ofSeconds(60);
  /** Keyed by the workflow file's blob sha, so an entry can never be stale; the bound only limits memory. */
  static final Duration WORKFLOW_INPUTS_TTL = Duration.ofHours(24);
  static final int MAX_CACHED = 512;

  private final WebClient http;
  private final Clock clock;
  private final BoundedCache<String, Set<String>> jenkinsParameters;
  private final BoundedCache<String, WorkflowInputs> workflowInputs;

  public Connectors(WebClient http, Clock clock) {
    this.http = http;
    this.clock = clock;
    this.jenkinsParameters = new BoundedCache<>(MAX_CACHED, JENKINS_PARAMETERS_TTL, clock);
    this.workflowInputs = new BoundedCache<>(MAX_CACHED, WORKFLOW_INPUTS_TTL, clock);
  }

  /** The connector for a {@code ci.*} integration; IllegalArgumentException for any other type. */
  public CiConnector forIntegration(ResolvedIntegration integration) {
    return switch (integration.type()) {
      case CI_GITLAB -> new GitLabConnector(http, integration, clock);
      case CI_GITHUB -> new GitHubConnector(http, integration, clock, workflowInputs);
      case CI_JENKINS -> new JenkinsConnector(http, integration, clock, jenkinsParameters);
      default -> throw new IllegalArgumentException("integration " + integration.name() + " of type "
          + integration.type().wire() + " cannot run pipelines");
    };
  }
}
