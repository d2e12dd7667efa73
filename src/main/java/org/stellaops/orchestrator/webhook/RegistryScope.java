package org.stellaops.orchestrator.webhook;

import java.util.List;
import java.util.Optional;
import org.stellaops.orchestrator.integration.RegistryHosts;
import org.stellaops.orchestrator.integration.ResolvedIntegration;
import org.stellaops.orchestrator.release.Digests;
import org.stellaops.orchestrator.release.ImageRepositories;

/**
 * Whether an image event may be acted on for the integration that sent it, decided before
 * anything is looked up or written: its registry host must be one of the integration's
 * {@link RegistryHosts}, and its tag one the API would accept ({@link Digests#isTag}). An event
 * that fails either becomes {@link WebhookEvent.Ignored} with the reason. An event whose
 * repository names no host is taken to be about the integration's own registry.
 *
 * <p>Applied at ingestion (so the answer and the stored status already say {@code ignored}) and
 * again when the delivery is processed or replayed, against the integration as it is then. Pure.
 */
final class RegistryScope {

  private static final int QUOTE_MAX = 140;

  private RegistryScope() {}

  /** The hosts the integration reports on; none when it is gone. */
  static List<String> hosts(Optional<ResolvedIntegration> integration) {
    return integration.map(i -> RegistryHosts.of(i.type(), i.config())).orElse(List.of());
  }

  static WebhookEvent screen(WebhookEvent event, List<String> hosts) {
    String repository;
    String tag;
    if (event instanceof WebhookEvent.ImagePushed p) {
      repository = p.repository();
      tag = p.tag();
    } else if (event instanceof WebhookEvent.ImageDeleted d) {
      repository = d.repository();
      tag = d.tag();
    } else {
      return event;
    }
    String host = ImageRepositories.host(repository);
    if (hosts.isEmpty()) {
      return new WebhookEvent.Ignored("this integration reports on no registry host; set its config."
          + RegistryHosts.KEY + " to the hosts its notifications name");
    }
    if (host != null && !RegistryHosts.covers(hosts, host)) {
      String shown = RegistryHosts.canonical(host);
      return new WebhookEvent.Ignored("registry host " + quote(shown != null ? shown : host)
          + " is not one this integration reports for (" + RegistryHosts.KEY + ": " + hosts + ")");
    }
    if (tag != null && !Digests.isTag(tag)) {
      return new WebhookEvent.Ignored("tag '" + quote(tag) + "' of " + quote(repository) + " is not valid: must be "
          + Digests.tagExpected());
    }
    return event;
  }

  private static String quote(String s) {
    return s.length() <= QUOTE_MAX ? s : s.substring(0, QUOTE_MAX) + "...";
  }
}
