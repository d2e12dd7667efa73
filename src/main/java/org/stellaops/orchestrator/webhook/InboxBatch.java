package org.stellaops.orchestrator.webhook;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
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
import org.stellaops.orchestrator.platform.Backoff;
import org.stellaops.orchestrator.platform.EventOutbox;
import org.stellaops.orchestrator.platform.Events;
import org.stellaops.orchestrator.release.VersionRepository;
import org.stellaops.orchestrator.webhook.parsers.PayloadParser;
import org.stellaops.orchestrator.webhook.parsers.Parsers;

/**
 * The work on one batch of claimed deliveries, inside the batch's transaction: their events carried out
 * in order, the version-map writes, subscriber events and outcomes written with one statement each,
 * and the log's positions moved past them. Also
 * the recording of a delivery that failed when worked alone. {@link InboxProcessor} decides when a batch
 * runs; this class decides what a batch does.
 */
final class InboxBatch {

  // The processor's logger: these lines are the processor's, whichever class writes them.
  private static final Logger LOG = LoggerFactory.getLogger(InboxProcessor.class);

  private final DeliveryRepository deliveries;
  private final VersionRepository versions;
  private final IntegrationService integrations;
  private final EventApplier applier;
  private final WebhookMetrics metrics;
  private final int idleSeconds;
  private final EventOutbox outbox;
  private final InboxLog log;

  InboxBatch(DeliveryRepository deliveries, InboxLog log, VersionRepository versions, IntegrationService integrations,
      EventApplier applier, WebhookMetrics metrics, int idleSeconds, EventOutbox outbox) {
    this.deliveries = deliveries;
    this.log = log;
    this.versions = versions;
    this.integrations = integrations;
    this.applier = applier;
    this.metrics = metrics;
    this.idleSeconds = idleSeconds;
    this.outbox = outbox;
  }

  /** Runs {@code work}, turning an exception it throws into a failed future. */
  static <T> Future<T> attempt(java.util.function.Supplier<Future<T>> work) {
    try {
      return work.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * Carries out the batch's deliveries one after another (a tag's pushes stay in order), writes
   * their version-map changes together, queues their subscriber events with one statement,
   * records the outcomes that are not the normal one with one statement, and moves the log's
   * positions past them, all on the batch's transaction {@code tx}. A log delivery whose events
   * were applied as image pushes or deletes is not written again: the position moving past it is
   * its outcome. Only deliveries that succeeded queue events; one that failed queues them when it
   * is worked again, and a batch rolled back queued none. The components the batch's image events
   * may mean are looked up first, with one query for the whole batch ({@link ComponentLookup}). A
   * delivery already attempted {@link Backoff#DELIVERIES maxAttempts} times without a recorded
   * outcome is failed unattempted.
   */
  Future<Applied> work(SqlConnection tx, InboxLog.Claim claim) {
    List<Delivery> batch = claim.entries().stream().map(InboxLog.Entry::delivery).toList();
    Set<UUID> fromLog = new java.util.HashSet<>();
    claim.entries().stream().filter(InboxLog.Entry::fromLog).forEach(e -> fromLog.add(e.delivery().id()));
    VersionWrites writes = new VersionWrites(tx, versions);
    List<DeliveryRepository.Outcome> outcomes = new ArrayList<>(batch.size());
    List<DeliveryRepository.Outcome> toRecord = new ArrayList<>(batch.size());
    List<EventOutbox.Event> events = new ArrayList<>();
    List<Delivery> live = new ArrayList<>(batch.size());
    for (Delivery d : batch) {
      if (Backoff.DELIVERIES.giveUp(d.attempts())) {
        DeliveryRepository.Outcome spent = new DeliveryRepository.Outcome(d.id(), Delivery.FAILED, d.reason(),
            spentError(d), false, 0);
        outcomes.add(spent);
        toRecord.add(spent);
      } else {
        live.add(d);
      }
    }
    if (live.size() < batch.size()) {
      LOG.warn("gave up on {} deliveries attempted {} times without a recorded outcome",
          batch.size() - live.size(), Backoff.DELIVERIES.maxAttempts());
    }
    List<Future<Optional<ResolvedIntegration>>> resolved = new ArrayList<>(live.size());
    List<List<WebhookEvent>> parsed = new ArrayList<>(live.size());
    // Once per integration, not per delivery: with the cache expired, a batch's lookups at once
    // would each go to the database.
    Map<UUID, Future<Optional<ResolvedIntegration>>> byIntegration = new java.util.HashMap<>();
    for (Delivery d : live) {
      resolved.add(d.integrationId() == null ? Future.succeededFuture(Optional.empty())
          : byIntegration.computeIfAbsent(d.integrationId(), integrations::resolve));
      parsed.add(parse(d));
    }
    // join, not all: waits for every integration even when one fails; that delivery alone is
    // then retried (process records the error), as the others go on.
    return Future.join(resolved).transform(all -> {
      Set<String> repositories = new LinkedHashSet<>();
      for (int i = 0; i < live.size(); i++) {
        if (resolved.get(i).succeeded()) {
          Optional<ResolvedIntegration> integration = resolved.get(i).result();
          parsed.get(i).forEach(e -> repositories.addAll(EventApplier.repositoriesOf(e, integration)));
        }
      }
      return applier.lookup(repositories);
    }).compose(lookup -> {
      List<Integer> order = java.util.stream.IntStream.range(0, live.size()).boxed().toList();
      long[] lastStatement = {System.nanoTime()};
      return inOrder(order, i -> stillWorking(tx, lastStatement)
          .compose(v -> process(live.get(i), resolved.get(i), parsed.get(i), lookup, writes, events))
          .map(outcome -> {
            outcomes.add(outcome);
            if (needsRecord(outcome, fromLog.contains(outcome.id()), parsed.get(i))) {
              toRecord.add(outcome);
            }
            return outcome;
          }));
    }).compose(v -> writes.flush())
        // After the flush: a push's event carries versionChanged, known once the map is written.
        .compose(v -> outbox.enqueue(tx, events))
        .compose(v -> deliveries.finishAll(tx, toRecord))
        .compose(v -> log.advance(tx, claim.reached()))
        .map(v -> new Applied(writes, outcomes, builds(events)));
  }

  /**
   * Whether a delivery's outcome must be written to its row. Not for a log delivery whose events
   * were all image pushes or deletes and were applied: the log position moving past it says so,
   * and that is nearly every delivery of a busy registry. A CI event keeps its note (which run it
   * concerned), anything ignored or failed its reason, and a delivery off the log (a retry or a
   * replay) its outcome, since its stored status says it is waiting. Pure.
   */
  static boolean needsRecord(DeliveryRepository.Outcome outcome, boolean fromLog, List<WebhookEvent> events) {
    return !fromLog || !Delivery.PROCESSED.equals(outcome.status())
        || !events.stream().allMatch(e -> e instanceof WebhookEvent.ImagePushed || e instanceof WebhookEvent.ImageDeleted);
  }

  /** What a batch's transaction did, told to the rest of the gateway only once it committed. */
  record Applied(VersionWrites writes, List<DeliveryRepository.Outcome> outcomes, List<JsonObject> builds) {
    void committed(io.vertx.core.eventbus.EventBus bus, WebhookMetrics metrics) {
      writes.publish(bus);
      builds.forEach(build -> bus.publish(Events.CI_BUILD_COMPLETED, build));
      outcomes.forEach(o -> metrics.finished(o.status()));
    }
  }

  /** The batch's {@code ci.build.completed} events, published on the bus once the batch committed. Pure. */
  static List<JsonObject> builds(List<EventOutbox.Event> events) {
    return events.stream().filter(e -> Events.CI_BUILD_COMPLETED.equals(e.address())).map(EventOutbox.Event::data).toList();
  }

  /**
   * Runs a statement on {@code tx} when half the idle limit passed since the last one, so that
   * PostgreSQL ends the transaction of a processor that stopped working its batch, not of one
   * still carrying out slow events. Completes at once otherwise.
   */
  private Future<Void> stillWorking(SqlConnection tx, long[] lastStatement) {
    long now = System.nanoTime();
    if (now - lastStatement[0] < java.util.concurrent.TimeUnit.SECONDS.toNanos(idleSeconds) / 2) {
      return Future.succeededFuture();
    }
    lastStatement[0] = now;
    return log.stillWorking(tx);
  }

  /** The error a delivery given up unattempted ends with. Pure. */
  static String spentError(Delivery d) {
    return "gave up after " + d.attempts() + " attempts without a recorded outcome"
        + (d.error() == null ? "" : " (last error: " + d.error() + ")");
  }

  /**
   * Carries out one delivery's events; never fails. Its outcome, or, when an event failed, its
   * error with the time of its next attempt (or failed, at the attempt limit); the version-map
   * writes it had gathered are then dropped, and it adds nothing to {@code subscriberEvents}.
   */
  private Future<DeliveryRepository.Outcome> process(Delivery d, Future<Optional<ResolvedIntegration>> integration,
      List<WebhookEvent> events, ComponentLookup lookup, VersionWrites writes,
      List<EventOutbox.Event> subscriberEvents) {
    VersionWrites.Mark mark = writes.mark();
    return integration.compose(i -> {
      Future<List<EventApplier.Outcome>> outcomes = Future.succeededFuture(new ArrayList<>());
      for (WebhookEvent event : events) {
        outcomes = outcomes.compose(list -> attempt(() -> applier.apply(d, i, event, lookup, writes)).map(o -> {
          list.add(o);
          return list;
        }));
      }
      return outcomes;
    }).map(outcomes -> {
      boolean acted = outcomes.stream().anyMatch(EventApplier.Outcome::acted);
      String notes = String.join("; ", outcomes.stream().map(EventApplier.Outcome::note).distinct().toList());
      outcomes.forEach(o -> subscriberEvents.addAll(o.events()));
      return DeliveryRepository.Outcome.done(d.id(), acted ? Delivery.PROCESSED : Delivery.IGNORED, truncate(notes));
    }).recover(e -> {
      writes.dropSince(mark);
      int attempt = d.attempts() + 1;
      boolean giveUp = failed(d, attempt, e);
      return Future.succeededFuture(new DeliveryRepository.Outcome(d.id(), giveUp ? Delivery.FAILED : Delivery.RECEIVED,
          null, truncate(String.valueOf(e.getMessage())), true, Backoff.DELIVERIES.delaySeconds(attempt)));
    });
  }

  /** Counts and logs a failed attempt; true when it was the last one allowed. */
  private boolean failed(Delivery d, int attempt, Throwable e) {
    metrics.processingFailed();
    boolean giveUp = Backoff.DELIVERIES.giveUp(attempt);
    LOG.warn("processing delivery {} failed (attempt {}{}): {}", d.id(), attempt, giveUp ? ", giving up" : "",
        e.getMessage());
    return giveUp;
  }

  /**
   * Records, on its own, that working {@code e} alone failed: retried after a backoff (off the
   * log), or failed for good at the attempt limit; a log entry's position moves past it in the
   * same transaction. Never fails; an entry whose error cannot be recorded stays where it was and
   * is taken up again by the next batch.
   */
  Future<Void> recordError(InboxLog.Entry e, Throwable cause) {
    Delivery d = e.delivery();
    int attempt = d.attempts() + 1;
    boolean giveUp = failed(d, attempt, cause);
    DeliveryRepository.Outcome outcome = new DeliveryRepository.Outcome(d.id(),
        giveUp ? Delivery.FAILED : Delivery.RECEIVED, null, truncate(String.valueOf(cause.getMessage())), true,
        Backoff.DELIVERIES.delaySeconds(attempt));
    return log.<Void>withOne(e, idleSeconds, (tx, claim) -> claim.entries().isEmpty() ? Future.succeededFuture()
            : deliveries.finishAll(tx, List.of(outcome)).compose(v -> log.advance(tx, claim.reached())))
        .recover(err -> {
          LOG.error("cannot record the outcome of delivery {}: {}", d.id(), err.getMessage());
          return Future.succeededFuture();
        });
  }

  /**
   * Runs {@code step} on each item in order, the next once the previous completed. Steps that
   * complete at once run in a loop, not in nested callbacks, so a batch of hundreds of deliveries
   * does not grow the stack with each. Fails with the first step that fails.
   */
  static <T> Future<Void> inOrder(List<T> items, java.util.function.Function<T, Future<?>> step) {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    new Object() {
      void from(int start) {
        for (int i = start; i < items.size(); i++) {
          Future<?> f = step.apply(items.get(i));
          if (!f.isComplete()) {
            int next = i + 1;
            f.onComplete(r -> {
              if (r.failed()) {
                done.fail(r.cause());
              } else {
                from(next);
              }
            });
            return;
          }
          if (f.failed()) {
            done.fail(f.cause());
            return;
          }
        }
        done.complete();
      }
    }.from(0);
    return done.future();
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
