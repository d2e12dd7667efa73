package org.stellaops.orchestrator.webhook;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stellaops.orchestrator.integration.IntegrationService;
import org.stellaops.orchestrator.integration.ResolvedIntegration;
import org.stellaops.orchestrator.webhook.parsers.PayloadParser;
import org.stellaops.orchestrator.webhook.parsers.Parsers;

/**
 * Works the inbox after deliveries are acknowledged: woken right after each commit and every
 * second, it claims received deliveries in order (leased, {@code SKIP LOCKED}, so replicas
 * share the work and a crashed processor's rows come back when the lease ends), carries out
 * their events, and records {@code processed}, {@code ignored} or, after repeated errors,
 * {@code failed}. One batch at a time per process keeps a tag's pushes in arrival order.
 */
public final class InboxProcessor extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(InboxProcessor.class);
  public static final int BATCH = 64;
  static final int FINISH_EVERY = 16;

  private final DeliveryRepository deliveries;
  private final IntegrationService integrations;
  private final EventApplier applier;
  private final WebhookMetrics metrics;
  private final int leaseSeconds;
  private boolean busy;
  private boolean again;
  private boolean stopping;
  private io.vertx.core.Promise<Void> drained;
  private long timer;
  private MessageConsumer<Object> wake;

  public InboxProcessor(DeliveryRepository deliveries, IntegrationService integrations, EventApplier applier,
      WebhookMetrics metrics, int leaseSeconds) {
    this.deliveries = deliveries;
    this.leaseSeconds = leaseSeconds;
    this.integrations = integrations;
    this.applier = applier;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    wake = vertx.eventBus().localConsumer(WebhookRoutes.WAKE_PROCESSOR, msg -> kick());
    timer = vertx.setPeriodic(1000, id -> {
      kick();
      deliveries.lagSeconds().onSuccess(metrics::inboxLag);
    });
    kick();
    return wake.completion();
  }

  /** Stops taking new batches and waits for the one in progress, so it never meets a closed pool. */
  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(timer);
    Future<Void> idle;
    if (busy) {
      drained = io.vertx.core.Promise.promise();
      idle = drained.future();
    } else {
      idle = Future.succeededFuture();
    }
    return wake.unregister().compose(v -> idle);
  }

  private void kick() {
    if (stopping) {
      return;
    }
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    again = false;
    runBatch();
  }

  private void runBatch() {
    deliveries.claim(BATCH, leaseSeconds, Retry.MAX_ATTEMPTS)
        .compose(claimed -> {
          List<Delivery> live = claimed.stream().filter(d -> Delivery.RECEIVED.equals(d.status())).toList();
          if (live.size() < claimed.size()) {
            LOG.warn("gave up on {} deliveries attempted {} times without a recorded outcome",
                claimed.size() - live.size(), Retry.MAX_ATTEMPTS);
          }
          return processBatch(live).map(claimed.size());
        })
        .onComplete(result -> {
          if (result.failed()) {
            LOG.warn("inbox batch failed: {}", result.cause().getMessage());
          }
          if (!stopping && result.succeeded() && (result.result() == BATCH || again)) {
            again = false;
            runBatch();
          } else {
            busy = false;
            if (drained != null) {
              drained.tryComplete();
            }
          }
        });
  }

  /**
   * Processes a claimed batch together and, should that fail as a whole (a row that no
   * delivery-level handling foresaw), each of its deliveries without a recorded outcome on its
   * own: only a delivery that fails again is retried, and failed at the attempt limit, while the
   * others are carried out. Never fails.
   */
  private Future<Void> processBatch(List<Delivery> batch) {
    Set<UUID> settled = new HashSet<>();
    return attempt(() -> processInOrder(batch, settled)).recover(e -> {
      LOG.warn("inbox batch of {} failed ({}); processing its deliveries one at a time", batch.size(),
          e.getMessage());
      Future<Void> chain = Future.succeededFuture();
      for (Delivery d : batch) {
        if (!settled.contains(d.id())) {
          chain = chain.compose(v -> attempt(() -> processInOrder(List.of(d), settled))
              .recover(alone -> recordError(d, alone)));
        }
      }
      return chain;
    });
  }

  /** Runs {@code work}, turning an exception it throws into a failed future. */
  private static <T> Future<T> attempt(java.util.function.Supplier<Future<T>> work) {
    try {
      return work.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * Applies the batch's deliveries one after another (a tag's pushes stay in order) and records
   * their outcomes in one statement per {@link #FINISH_EVERY} deliveries, so a slow batch (a
   * registry lookup per delivery) does not keep finished deliveries unrecorded until its lease
   * runs out. Effects are idempotent, so a crash before a statement only means those deliveries
   * are applied again once the lease ends. The components the batch's image events may mean are
   * looked up first, with one query for the whole batch ({@link ComponentLookup}).
   */
  private Future<Void> processInOrder(List<Delivery> batch, Set<UUID> settled) {
    List<Future<Optional<ResolvedIntegration>>> resolved = new ArrayList<>(batch.size());
    List<List<WebhookEvent>> parsed = new ArrayList<>(batch.size());
    // Once per integration, not per delivery: with the cache expired, 64 lookups at once would
    // each go to the database.
    Map<java.util.UUID, Future<Optional<ResolvedIntegration>>> byIntegration = new java.util.HashMap<>();
    for (Delivery d : batch) {
      resolved.add(d.integrationId() == null ? Future.succeededFuture(Optional.empty())
          : byIntegration.computeIfAbsent(d.integrationId(), integrations::resolve));
      parsed.add(parse(d));
    }
    // join, not all: waits for every integration even when one fails; that delivery alone is
    // then retried (process records the error), as the others go on.
    return Future.join(resolved).transform(all -> {
      Set<String> repositories = new LinkedHashSet<>();
      for (int i = 0; i < batch.size(); i++) {
        if (resolved.get(i).succeeded()) {
          Optional<ResolvedIntegration> integration = resolved.get(i).result();
          parsed.get(i).forEach(e -> repositories.addAll(EventApplier.repositoriesOf(e, integration)));
        }
      }
      return applier.lookup(repositories);
    }).compose(lookup -> {
      List<DeliveryRepository.Outcome> finished = new ArrayList<>(FINISH_EVERY);
      Future<Void> chain = Future.succeededFuture();
      for (int i = 0; i < batch.size(); i++) {
        Delivery d = batch.get(i);
        Future<Optional<ResolvedIntegration>> integration = resolved.get(i);
        List<WebhookEvent> events = parsed.get(i);
        chain = chain.compose(v -> process(d, integration, events, lookup)).compose(outcome -> {
          if (outcome.isPresent()) {
            finished.add(outcome.get());
          } else {
            settled.add(d.id());
          }
          return finished.size() >= FINISH_EVERY ? flush(finished, batch, settled) : Future.succeededFuture();
        });
      }
      return chain.compose(v -> flush(finished, batch, settled));
    });
  }

  /**
   * Records finished deliveries in one statement; if that statement fails (one outcome PostgreSQL
   * will not store fails it for all), each is recorded on its own, and one that still cannot be
   * is retried like a failed delivery. Never fails.
   */
  private Future<Void> flush(List<DeliveryRepository.Outcome> finished, List<Delivery> batch, Set<UUID> settled) {
    List<DeliveryRepository.Outcome> recorded = List.copyOf(finished);
    finished.clear();
    Future<Void> together = deliveries.finishAll(recorded)
        .onSuccess(v -> recorded.forEach(o -> metrics.finished(o.status())));
    return together.recover(e -> {
      LOG.warn("recording {} outcomes together failed ({}); recording them one at a time", recorded.size(),
          e.getMessage());
      Future<Void> chain = Future.succeededFuture();
      for (DeliveryRepository.Outcome o : recorded) {
        Delivery d = batch.stream().filter(b -> b.id().equals(o.id())).findFirst().orElseThrow();
        chain = chain.compose(v -> deliveries.finishAll(List.of(o)).onSuccess(one -> metrics.finished(o.status()))
            .recover(alone -> recordError(d, alone)));
      }
      return chain;
    }).onComplete(done -> recorded.forEach(o -> settled.add(o.id())));
  }

  /**
   * Processes one delivery; never fails. Returns its outcome to record, or empty when it failed
   * and the error (with its retry time) was already recorded.
   */
  private Future<Optional<DeliveryRepository.Outcome>> process(Delivery d,
      Future<Optional<ResolvedIntegration>> integration, List<WebhookEvent> events, ComponentLookup lookup) {
    return integration.compose(i -> {
      Future<List<EventApplier.Outcome>> outcomes = Future.succeededFuture(new ArrayList<>());
      for (WebhookEvent event : events) {
        outcomes = outcomes.compose(list -> applier.apply(d, i, event, lookup).map(o -> {
          list.add(o);
          return list;
        }));
      }
      return outcomes;
    }).compose(outcomes -> {
      boolean acted = outcomes.stream().anyMatch(EventApplier.Outcome::acted);
      String notes = String.join("; ", outcomes.stream().map(EventApplier.Outcome::note).distinct().toList());
      return Future.succeededFuture(Optional.of(new DeliveryRepository.Outcome(d.id(),
          acted ? Delivery.PROCESSED : Delivery.IGNORED, truncate(notes))));
    }).recover(e -> recordError(d, e).map(Optional.<DeliveryRepository.Outcome>empty()));
  }

  /**
   * Records that processing {@code d} failed: retried after a backoff, or failed for good at the
   * attempt limit. Never fails; a delivery whose error cannot be recorded either is claimed again
   * when its lease ends, and failed there once it has used up its attempts.
   */
  private Future<Void> recordError(Delivery d, Throwable e) {
    metrics.processingFailed();
    boolean giveUp = Retry.giveUp(d.attempts());
    LOG.warn("processing delivery {} failed (attempt {}{}): {}", d.id(), d.attempts(),
        giveUp ? ", giving up" : "", e.getMessage());
    return deliveries.retryLater(d.id(), truncate(String.valueOf(e.getMessage())), Retry.delaySeconds(d.attempts()),
        giveUp).recover(err -> {
          LOG.error("cannot record the outcome of delivery {}: {}", d.id(), err.getMessage());
          return Future.succeededFuture();
        });
  }

  private static List<WebhookEvent> parse(Delivery d) {
    PayloadParser parser = Parsers.forType(WebhookIngest.CI_API.equals(d.integrationType())
        ? "ci.jenkins" : d.integrationType());
    Map<String, String> headers = new java.util.HashMap<>();
    d.headers().forEach(e -> headers.put(e.getKey(), String.valueOf(e.getValue())));
    try {
      // A body that is not JSON any more (ingest checked it; a row written by other means) is
      // ignored with the reason, not retried: it would fail the same way every time.
      return parser.parse(headers, bodyJson(d));
    } catch (RuntimeException e) {
      return List.of(new WebhookEvent.Ignored("unrecognised payload: " + e.getMessage()));
    }
  }

  private static JsonObject bodyJson(Delivery d) {
    return new JsonObject(WebhookIngest.jsonText(d.headers().getString("content-type"), d.body()));
  }

  private static String truncate(String s) {
    return s.length() <= 1000 ? s : s.substring(0, 1000);
  }
}
