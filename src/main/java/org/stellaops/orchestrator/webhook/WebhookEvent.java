package org.stellaops.orchestrator.webhook;

import java.util.List;

/**
 * What one verified delivery means once parsed, independent of the vendor that sent it. A
 * delivery yields one or more events; a payload we do not act on yields {@link Ignored} with
 * the reason, so it is stored and answered 202 like any other.
 */
public sealed interface WebhookEvent {

  /**
   * A manifest was pushed. {@code repository} is the full repository as the sender names it,
   * with the registry host when the payload carries one ({@code 127.0.0.1:5000/demo/app},
   * {@code docker.io/myorg/app}); the processor normalises it. {@code digest} is null when the
   * sender gives none (Docker Hub, Quay), {@code tag} is null for a push by digest.
   */
  record ImagePushed(String repository, String tag, String digest, String mediaType) implements WebhookEvent {}

  /** A manifest (by digest) or a tag was deleted; at least one of {@code tag} and {@code digest} is set. */
  record ImageDeleted(String repository, String tag, String digest) implements WebhookEvent {}

  /**
   * A CI build or pipeline reached a state. {@code status} is normalised (pending, running,
   * success, failed, cancelled) and {@code vendorStatus} is the sender's own word.
   */
  record BuildCompleted(String buildId, String status, String vendorStatus, String commit, String ref,
      String webUrl, String pipelineName, List<Artifact> artifacts) implements WebhookEvent {

    public boolean terminal() {
      return status.equals("success") || status.equals("failed") || status.equals("cancelled");
    }
  }

  /** An artifact a CI build reports (a build-complete body's {@code artifacts[]}). */
  record Artifact(String name, String digest, String repository) {}

  /** A well-formed payload that means nothing to us (a pull, a ping, a blob, an unknown event). */
  record Ignored(String reason) implements WebhookEvent {}
}
