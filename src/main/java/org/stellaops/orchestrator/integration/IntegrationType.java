package org.stellaops.orchestrator.integration;

import java.util.Arrays;
import java.util.Optional;

/** The integration kinds the gateway knows, with how each webhook sender proves itself. */
public enum IntegrationType {
  REGISTRY_DISTRIBUTION("registry.distribution", SenderAuth.AUTHORIZATION_HEADER),
  REGISTRY_DOCKERHUB("registry.dockerhub", SenderAuth.QUERY_SECRET),
  REGISTRY_HARBOR("registry.harbor", SenderAuth.AUTHORIZATION_HEADER),
  REGISTRY_GHCR("registry.ghcr", SenderAuth.HMAC_SHA256),
  REGISTRY_QUAY("registry.quay", SenderAuth.QUERY_SECRET),
  REGISTRY_ACR("registry.acr", SenderAuth.AUTHORIZATION_HEADER),
  // Pub/Sub push can carry an OIDC JWT, but checking it needs Google's keys from the internet;
  // a secret in the push endpoint's URL works offline.
  REGISTRY_GAR("registry.gar", SenderAuth.QUERY_SECRET),
  REGISTRY_ECR("registry.ecr", SenderAuth.AUTHORIZATION_HEADER),
  CI_GITLAB("ci.gitlab", SenderAuth.GITLAB_TOKEN),
  CI_GITHUB("ci.github", SenderAuth.HMAC_SHA256),
  // The Notification plugin cannot sign; it can send a header or call a URL with a secret.
  CI_JENKINS("ci.jenkins", SenderAuth.AUTHORIZATION_HEADER_OR_QUERY),
  SCM_GITHUB("scm.github", SenderAuth.NONE),
  SCM_GITLAB("scm.gitlab", SenderAuth.NONE);

  /** How a webhook sender of this type authenticates. */
  public enum SenderAuth {
    HMAC_SHA256, GITLAB_TOKEN, AUTHORIZATION_HEADER, QUERY_SECRET, AUTHORIZATION_HEADER_OR_QUERY, NONE
  }

  private final String wire;
  private final SenderAuth senderAuth;

  IntegrationType(String wire, SenderAuth senderAuth) {
    this.wire = wire;
    this.senderAuth = senderAuth;
  }

  public String wire() {
    return wire;
  }

  public SenderAuth senderAuth() {
    return senderAuth;
  }

  public boolean isRegistry() {
    return wire.startsWith("registry.");
  }

  public boolean isCi() {
    return wire.startsWith("ci.");
  }

  public static Optional<IntegrationType> of(String wire) {
    return Arrays.stream(values()).filter(t -> t.wire.equals(wire)).findFirst();
  }

  public static java.util.List<String> wireNames() {
    return Arrays.stream(values()).map(IntegrationType::wire).toList();
  }
}
