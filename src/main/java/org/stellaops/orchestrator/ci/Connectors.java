package org.stellaops.orchestrator.ci;

import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import org.stellaops.orchestrator.ci.github.GitHubConnector;
import org.stellaops.orchestrator.ci.gitlab.GitLabConnector;
import org.stellaops.orchestrator.ci.jenkins.JenkinsConnector;
import org.stellaops.orchestrator.integration.ResolvedIntegration;

/** Builds the connector for an integration. Connectors are cheap; one per call is fine. */
public final class Connectors {

  private final WebClient http;
  private final Clock clock;

  public Connectors(WebClient http, Clock clock) {
    this.http = http;
    this.clock = clock;
  }

  /** The connector for a {@code ci.*} integration; IllegalArgumentException for any other type. */
  public CiConnector forIntegration(ResolvedIntegration integration) {
    return switch (integration.type()) {
      case CI_GITLAB -> new GitLabConnector(http, integration, clock);
      case CI_GITHUB -> new GitHubConnector(http, integration, clock);
      case CI_JENKINS -> new JenkinsConnector(http, integration, clock);
      default -> throw new IllegalArgumentException("integration " + integration.name() + " of type "
          + integration.type().wire() + " cannot run pipelines");
    };
  }
}
