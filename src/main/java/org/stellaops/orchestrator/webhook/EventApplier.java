package org.stellaops.orchestrator.webhook;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.stellaops.orchestrator.ci.PipelineRunService;
import org.stellaops.orchestrator.integration.ResolvedIntegration;
import org.stellaops.orchestrator.platform.EventOutbox;
import org.stellaops.orchestrator.platform.Events;
import org.stellaops.orchestrator.release.Component;
import org.stellaops.orchestrator.release.ComponentRepository;
import org.stellaops.orchestrator.release.Digests;
import org.stellaops.orchestrator.release.ImageRepositories;
import org.stellaops.orchestrator.release.ReleaseService;
import org.stellaops.orchestrator.release.VersionEntry;
import org.stellaops.orchestrator.release.Versioning;
import org.stellaops.orchestrator.release.VersionRepository;

/**
 * Carries out one event of a delivery. Version-map writes go through the batch's
 * {@link VersionWrites}, so they commit with the delivery's outcome. The other effects (an
 * automatic release, a poll request) commit on their own and are idempotent, so a batch rolled
 * back and worked again, or a replay, changes nothing more: the automatic release of a component,
 * tag and digest exists at most once, and recording a digest a tag already has is a no-op.
 * The subscriber events an event causes are returned with its outcome, to be queued on the
 * batch's transaction too ({@link Outcome#events}).
 */
public final class EventApplier {

  private final ComponentRepository components;
  private final ReleaseService releases;
  private final RegistryClient registry;
  private final PipelineRunService pipelineRuns;
  private final EventBus eventBus;

  public EventApplier(ComponentRepository components, ReleaseService releases, RegistryClient registry,
      PipelineRunService pipelineRuns, EventBus eventBus) {
    this.components = components;
    this.releases = releases;
    this.registry = registry;
    this.pipelineRuns = pipelineRuns;
    this.eventBus = eventBus;
  }

  /**
   * What applying an event did: {@code acted} false means it was ignored, for {@code note}.
   * {@code events} are for subscribers, queued on the batch's transaction with the delivery's
   * outcome: a batch rolled back and worked again queues them once. A push's event object is the
   * one {@link VersionWrites} completes with {@code versionChanged} when it writes the batch.
   */
  public record Outcome(boolean acted, String note, List<EventOutbox.Event> events) {

    Outcome(boolean acted, String note) {
      this(acted, note, List.of());
    }

    static Outcome ignored(String why) {
      return new Outcome(false, why);
    }
  }

  /**
   * Looks up, with one query, the components of {@code repositories} (what
   * {@link #repositoriesOf} gives for a batch's events): {@link #apply} then finds them without a
   * round trip to PostgreSQL.
   */
  public Future<ComponentLookup> lookup(Collection<String> repositories) {
    return ComponentLookup.load(components, repositories);
  }

  /** The canonical repositories whose components an image event may mean; none for other events. */
  static List<String> repositoriesOf(WebhookEvent event, Optional<ResolvedIntegration> integration) {
    WebhookEvent screened = RegistryScope.screen(event, RegistryScope.hosts(integration));
    String repository = screened instanceof WebhookEvent.ImagePushed p ? p.repository()
        : screened instanceof WebhookEvent.ImageDeleted d ? d.repository() : null;
    return repository == null ? List.of() : candidates(repository, integration);
  }

  public Future<Outcome> apply(Delivery delivery, Optional<ResolvedIntegration> integration, WebhookEvent event,
      ComponentLookup lookup, VersionWrites writes) {
    if (event instanceof WebhookEvent.ImagePushed || event instanceof WebhookEvent.ImageDeleted) {
      if (integration.isEmpty()) {
        return Future.succeededFuture(Outcome.ignored("integration " + delivery.integrationId()
            + " no longer exists, so nothing says which registry it may report on"));
      }
      // Checked again here, not only at ingestion: the integration's hosts may have changed
      // since, and a replay must meet the same rules.
      event = RegistryScope.screen(event, RegistryScope.hosts(integration));
    }
    if (event instanceof WebhookEvent.ImagePushed pushed) {
      return pushed(delivery, integration, pushed, lookup, writes);
    }
    if (event instanceof WebhookEvent.ImageDeleted deleted) {
      return deleted(integration, deleted, lookup, writes);
    }
    if (event instanceof WebhookEvent.BuildCompleted build) {
      return build(delivery, integration, build);
    }
    return Future.succeededFuture(Outcome.ignored(((WebhookEvent.Ignored) event).reason()));
  }

  private Future<Outcome> pushed(Delivery delivery, Optional<ResolvedIntegration> integration,
      WebhookEvent.ImagePushed e, ComponentLookup lookup, VersionWrites writes) {
    if (e.tag() == null || e.tag().isBlank()) {
      return Future.succeededFuture(Outcome.ignored("push of " + e.repository() + " by digest, without a tag"));
    }
    List<String> candidates = candidates(e.repository(), integration);
    if (candidates.isEmpty()) {
      return Future.succeededFuture(Outcome.ignored("'" + e.repository() + "' is not an image repository"));
    }
    return lookup.first(candidates).compose(found -> {
      if (found.isEmpty()) {
        return Future.succeededFuture(Outcome.ignored("no component has image repository " + candidates.get(0)));
      }
      Component component = found.get();
      Future<String> digest = e.digest() != null ? Future.succeededFuture(e.digest())
          : integration.map(i -> registry.resolveDigest(i, component.imageRepository(), e.tag()))
              .orElse(Future.failedFuture("no digest in the event and the integration is gone"));
      return digest.compose(d -> {
        if (!Digests.isSha256(d)) {
          return Future.succeededFuture(Outcome.ignored("digest " + d + " is not a sha256 digest"));
        }
        String actor = actor(integration, delivery);
        Versioning.Derived derived = component.derive(e.tag(), null);
        return releases.createAutomatic(component, e.tag(), d, derived.semver(), actor).map(release -> {
          JsonObject pushedEvent = new JsonObject()
              .put("deliveryId", delivery.id().toString())
              .put("componentId", component.id().toString())
              .put("repository", component.imageRepository())
              .put("tag", e.tag())
              .put("digest", d)
              .put("releaseId", release.map(r -> r.id().toString()).orElse(null));
          writes.record(new VersionRepository.Change(component.id(), e.tag(), d, derived,
              VersionEntry.SOURCE_WEBHOOK, actor), pushedEvent);
          return new Outcome(true, component.name() + ":" + e.tag() + " -> " + d
              + release.map(r -> ", release " + r.name()).orElse(""),
              List.of(new EventOutbox.Event(Events.REGISTRY_IMAGE_PUSHED, pushedEvent)));
        });
      });
    });
  }

  private Future<Outcome> deleted(Optional<ResolvedIntegration> integration, WebhookEvent.ImageDeleted e,
      ComponentLookup lookup, VersionWrites writes) {
    List<String> candidates = candidates(e.repository(), integration);
    return lookup.first(candidates).compose(found -> {
      if (found.isEmpty()) {
        return Future.succeededFuture(Outcome.ignored("no component has image repository " + e.repository()));
      }
      Component component = found.get();
      return writes.markDeleted(component.id(), e.tag(), e.digest()).map(count -> count == 0
          ? Outcome.ignored("nothing in the version map matched the delete")
          : new Outcome(true, "marked " + count + " version entries of " + component.name() + " deleted"));
    });
  }

  private Future<Outcome> build(Delivery delivery, Optional<ResolvedIntegration> integration,
      WebhookEvent.BuildCompleted b) {
    if (!b.terminal()) {
      return Future.succeededFuture(Outcome.ignored("build " + b.buildId() + " is still " + b.vendorStatus()));
    }
    JsonArray artifacts = new JsonArray();
    b.artifacts().forEach(a -> artifacts.add(new JsonObject().put("name", a.name()).put("digest", a.digest())
        .put("repository", a.repository())));
    // What the sender reports, as reported (published once the batch commits); it ends no wait (below).
    JsonObject buildEvent = new JsonObject()
        .put("deliveryId", delivery.id().toString())
        .put("integrationId", delivery.integrationId() == null ? null : delivery.integrationId().toString())
        .put("buildId", b.buildId())
        .put("status", b.status())
        .put("vendorStatus", b.vendorStatus())
        .put("commit", b.commit())
        .put("ref", b.ref())
        .put("webUrl", b.webUrl())
        .put("artifacts", artifacts);
    // The event only makes the waits for this run be polled now; the CI system's answer ends them.
    String type = integration.map(i -> i.type().wire()).orElse(delivery.integrationType());
    return pipelineRuns.requestPoll(delivery.integrationId(), vendorRunId(type, b.buildId()),
            delivery.receivedAt().toInstant())
        .map(asked -> new Outcome(true, "build " + b.buildId() + " reported " + b.status() + "; "
            + pollNote(asked), List.of(new EventOutbox.Event(Events.CI_BUILD_COMPLETED, buildEvent))));
  }

  /** What the delivery's stored reason says about the waits an event asked about. Pure. */
  static String pollNote(List<java.util.UUID> asked) {
    if (asked.isEmpty()) {
      return "no pipeline run waits for it";
    }
    return "poll requested for pipeline run" + (asked.size() == 1 ? " " : "s ")
        + String.join(", ", asked.stream().map(java.util.UUID::toString).toList());
  }

  /**
   * Jenkins notifications (and the ci-status / build-complete bodies, in the same format) name a
   * build {@code job#number}; the wait stores the build number.
   */
  static String vendorRunId(String integrationType, String buildId) {
    boolean jenkinsNaming = "ci.jenkins".equals(integrationType) || WebhookIngest.CI_API.equals(integrationType);
    if (jenkinsNaming && buildId.contains("#")) {
      return buildId.substring(buildId.lastIndexOf('#') + 1);
    }
    return buildId;
  }

  /**
   * Canonical repositories the event may mean: as sent (qualified with each of the
   * integration's registry hosts when the sender named none), and with the integration's public
   * {@code config.registryHost} in place of the host (a registry reached internally as
   * 10.0.0.5:5000 but known to users as registry.example.com). {@link RegistryScope} has already
   * checked the host the sender named.
   */
  static List<String> candidates(String repository, Optional<ResolvedIntegration> integration) {
    List<String> names = new ArrayList<>();
    if (ImageRepositories.host(repository) != null) {
      addNormalized(names, repository);
    } else {
      RegistryScope.hosts(integration).forEach(host -> addNormalized(names, host + "/" + repository));
    }
    String publicHost = integration.map(i -> i.config().getString("registryHost")).orElse(null);
    if (publicHost != null && !names.isEmpty()) {
      String canonical = names.get(0);
      addNormalized(names, publicHost + canonical.substring(canonical.indexOf('/')));
    }
    return names;
  }

  private static void addNormalized(List<String> names, String repository) {
    String canonical = ImageRepositories.normalize(repository);
    if (canonical != null && !names.contains(canonical)) {
      names.add(canonical);
    }
  }

  private static String actor(Optional<ResolvedIntegration> integration, Delivery delivery) {
    return "integration:" + integration.map(ResolvedIntegration::name).orElse(delivery.integrationType());
  }
}
