package org.stellaops.orchestrator.webhook.parsers;

import java.util.Map;
import java.util.Set;

/**
 * The payload parser for each integration type's wire name. Parsers are stateless, so one
 * instance of each serves every integration and thread.
 */
public final class Parsers {

  private static final Map<String, PayloadParser> BY_TYPE = Map.ofEntries(
      Map.entry("registry.distribution", new DistributionParser()),
      Map.entry("registry.dockerhub", new DockerHubParser()),
      Map.entry("registry.harbor", new HarborParser()),
      Map.entry("registry.ghcr", new GhcrParser()),
      Map.entry("registry.quay", new QuayParser()),
      Map.entry("registry.acr", new AcrParser()),
      Map.entry("registry.gar", new GarParser()),
      Map.entry("registry.ecr", new EcrParser()),
      Map.entry("ci.gitlab", new GitLabPipelineParser()),
      Map.entry("ci.github", new GitHubWorkflowRunParser()),
      Map.entry("ci.jenkins", new JenkinsParser()));

  private Parsers() {}

  /** The parser for an integration type such as {@code registry.harbor}, or null when the type has none. */
  public static PayloadParser forType(String integrationType) {
    return integrationType == null ? null : BY_TYPE.get(integrationType);
  }

  /** The integration types that have a parser. */
  public static Set<String> types() {
    return BY_TYPE.keySet();
  }
}
