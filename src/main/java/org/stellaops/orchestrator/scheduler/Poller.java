package org.stellaops.orchestrator.scheduler;

import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stellaops.orchestrator.ci.CiConnector;
import org.stellaops.orchestrator.ci.CiException;
import org.stellaops.orchestrator.ci.Connectors;
import org.stellaops.orchestrator.ci.PipelineRun;
import org.stellaops.orchestrator.ci.PipelineRunRepository;
import org.stellaops.orchestrator.ci.PipelineRunService;
import org.stellaops.orchestrator.ci.PollResult;
import org.stellaops.orchestrator.ci.RunStatus;
import org.stellaops.orchestrator.integration.IntegrationService;
import org.stellaops.orchestrator.integration.ResolvedIntegration;
import org.stellaops.orchestrator.platform.Backoff;
import org.stellaops.orchestrator.platform.GroupCommit;

/**
 * One polling tick, on the scheduler verticle's event loop: end the waits whose deadline passed,
 * claim the due ones (the claim already moves each {@code next_poll_at} one interval ahead),
 * and poll them — at most {@link #perIntegration} (or the integration's {@code maxConcurrentPolls})
 * at a time per integration, none while an integration is paused by its rate limit. Reading the
 * CI system never writes; a poll that sees no change writes nothing; changes and terminal
 * statuses are group-committed, a terminal one under the same still-active condition as every
 * other way a run ends. A CI event naming a run ({@link #pollNow}) gets that run polled at once
 * through the same path — claim, caps, rate-limit pause, commit — so a wait ends on what the CI
 * system answers, whoever asked.
 * All state here is confined to the one event loop, so it needs no locks.
 */
public final class Poller {

  private static final Logger LOG = LoggerFactory.getLogger(Poller.class);
  static final int MAX_ROUNDS_PER_TICK = 50;

  private final PipelineRunRepository runs;
  private final PipelineRunService service;
  private final IntegrationService integrations;
  private final Connectors connectors;
  private final PollMetrics metrics;
  private final Clock clock;
  private final int batch;
  private final int perIntegration;
  private final Map<UUID, Instant> pausedUntil = new HashMap<>();
  private final Map<UUID, Integer> inFlight = new HashMap<>();
  /** Per-integration caps ({@code config.maxConcurrentPolls}), learnt when a poll resolves one. */
  private final Map<UUID, Integer> caps = new HashMap<>();
  private final Map<UUID, ArrayDeque<Claim>> queued = new HashMap<>();
  /** Runs with an event-requested poll claimed, queued or in flight: one at a time per run. */
  private final Set<UUID> requested = new HashSet<>();
  /** Progress seen by polls, group-committed: one commit per batch instead of one per poll. */
  private final GroupCommit<PipelineRunRepository.Progress, Void> progressWrites;
  /** Runs polls saw finish, group-committed the same way; each ended run is published once. */
  private final GroupCommit<PipelineRunRepository.PolledEnd, java.util.Optional<PipelineRun>> completions;
  private boolean claiming;
  private boolean expiring;
  /** A claiming cycle stopped for lack of room while waits were still due. */
  private boolean refillWanted;
  private long ticks;
  private int queuedTotal;
  /** Poll results still being written; claiming pauses above {@link #MAX_PENDING_WRITES}. */
  private int writesPending;
  static final int MAX_PENDING_WRITES = 1024;

  /** A claimed run to poll; {@code eventAt} is when the CI event that asked was received, null when due. */
  record Claim(PipelineRun run, Instant eventAt) {}

  public Poller(PipelineRunRepository runs, PipelineRunService service, IntegrationService integrations,
      Connectors connectors, PollMetrics metrics, Clock clock, int batch, int perIntegration) {
    this.runs = runs;
    this.service = service;
    this.integrations = integrations;
    this.connectors = connectors;
    this.metrics = metrics;
    this.clock = clock;
    this.batch = batch;
    this.perIntegration = perIntegration;
    this.progressWrites = new GroupCommit<>(1000, runs::progressAll);
    this.completions = new GroupCommit<>(1000, service::completeAll);
  }

  /**
   * One tick: ends the waits whose deadline passed, and starts claiming unless a claiming cycle
   * is still running (it may outlast ticks under load; expiry never waits for it).
   */
  public void tick() {
    if (ticks++ % 5 == 0) {
      runs.countActive().onSuccess(metrics::waitsInFlight);
    }
    if (!expiring) {
      expiring = true;
      service.expire(1000)
          .onFailure(e -> LOG.warn("expiring waits failed: {}", e.getMessage()))
          .onComplete(done -> expiring = false);
    }
    startClaiming();
  }

  private void startClaiming() {
    if (claiming) {
      return;
    }
    claiming = true;
    Timer.Sample sample = Timer.start();
    // Two claim statements at a time: SKIP LOCKED keeps them disjoint, and one at a time left
    // PostgreSQL idle between round trips (at 100,000 waits the claim loop was the limit).
    // join, not all: the cycle ends only when both chains have, even if one failed.
    Future.join(claim(0), claim(0)).onComplete(done -> {
      sample.stop(metrics.cycle());
      claiming = false;
      if (done.failed()) {
        LOG.warn("claiming due waits failed: {}", done.cause().getMessage());
      }
      refillIfWanted();
    });
  }

  /**
   * Claims while there is room: runs already claimed but still queued behind the per-integration
   * cap must be polled before more are claimed, or a backlog would be claimed again each interval
   * and pile up in memory (measured at 100,000 waits: bench/poll-scale.md). When room runs out
   * with due waits left, claiming resumes as soon as the queue has drained to half, without
   * waiting for the next tick: at 100,000 waits a tick must claim ~10,000.
   */
  private Future<Void> claim(int round) {
    if (!roomToClaim()) {
      refillWanted = true;
      return Future.succeededFuture();
    }
    return runs.claimDue(batch).compose(claimed -> {
      claimed.forEach(run -> dispatch(new Claim(run, null)));
      return claimed.size() == batch && round < MAX_ROUNDS_PER_TICK ? claim(round + 1) : Future.succeededFuture();
    });
  }

  private boolean roomToClaim() {
    return queuedTotal < batch && writesPending < MAX_PENDING_WRITES;
  }

  /** Called as polls and writes finish: resumes claiming once there is room again. */
  private void refillIfWanted() {
    if (refillWanted && !claiming && queuedTotal < batch / 2 && writesPending < MAX_PENDING_WRITES / 2) {
      refillWanted = false;
      startClaiming();
    }
  }

  /**
   * A CI event says this run finished: claim it and poll it now, unless a requested poll of it is
   * already on its way or its wait is postponed (rate limit, error backoff). The claim moves the
   * next scheduled poll one interval ahead, so the run is not polled twice in a row.
   */
  public void pollNow(UUID runId, Instant eventAt) {
    if (!requested.add(runId)) {
      return;
    }
    runs.claimRequested(runId).onComplete(claimed -> {
      if (claimed.failed() || claimed.result().isEmpty()) {
        requested.remove(runId);
        if (claimed.failed()) {
          LOG.warn("claiming pipeline run {} for a requested poll failed: {}", runId, claimed.cause().getMessage());
        }
        return;
      }
      dispatch(new Claim(claimed.result().get(), eventAt));
    });
  }

  private void dispatch(Claim claim) {
    PipelineRun run = claim.run();
    UUID integration = run.integrationId();
    Instant paused = pausedUntil.get(integration);
    if (paused != null && paused.isAfter(clock.instant())) {
      runs.postpone(run.id(), paused);
      settled(claim);
      // Everything queued for a paused integration waits for the reset too, and frees its place.
      ArrayDeque<Claim> waiting = queued.remove(integration);
      if (waiting != null) {
        queuedTotal -= waiting.size();
        waiting.forEach(c -> {
          runs.postpone(c.run().id(), paused);
          settled(c);
        });
      }
      return;
    }
    if (inFlight.getOrDefault(integration, 0) >= caps.getOrDefault(integration, perIntegration)) {
      queued.computeIfAbsent(integration, k -> new ArrayDeque<>()).add(claim);
      queuedTotal++;
      return;
    }
    inFlight.merge(integration, 1, Integer::sum);
    poll(claim).onComplete(done -> {
      inFlight.merge(integration, -1, Integer::sum);
      settled(claim);
      ArrayDeque<Claim> waiting = queued.get(integration);
      if (waiting != null && !waiting.isEmpty()) {
        queuedTotal--;
        dispatch(waiting.poll());
      }
      refillIfWanted();
    });
  }

  /** A requested poll is over (answered, or postponed): the next event for its run may ask again. */
  private void settled(Claim claim) {
    if (claim.eventAt() != null) {
      requested.remove(claim.run().id());
    }
  }

  /**
   * Polls one run and commits what changed; never fails (errors are recorded on the run). The
   * returned future completes as soon as the CI system has answered: the per-integration cap
   * limits requests to the CI system, and a slot must not wait for our own database write (at
   * 100,000 waits those writes queued on the WAL and held the slots: bench/poll-scale.md).
   * Writes still being recorded are counted, and claiming pauses while too many are pending.
   */
  Future<Void> poll(Claim claim) {
    PipelineRun run = claim.run();
    Promise<Void> answered = Promise.promise();
    integrations.resolve(run.integrationId()).compose(found -> {
      if (found.isEmpty()) {
        answered.tryComplete();
        return service.complete(run.id(), RunStatus.FAILED, "error", null,
            "integration " + run.integrationId() + " was deleted", "poll", null).mapEmpty();
      }
      ResolvedIntegration integration = found.get();
      caps.put(integration.id(), concurrencyCap(integration.config(), perIntegration));
      CiConnector connector = connectors.forIntegration(integration);
      return connector.poll(run.runRef(), run.etag()).transform(result -> {
        writesPending++;
        // Started before the slot is freed: a rate-limit answer pauses the integration (in
        // failed()) before the next queued poll of it is sent.
        Future<Void> recorded = result.succeeded()
            ? commit(claim, integration, result.result())
            : failed(run, integration, result.cause());
        answered.tryComplete();
        return recorded.onComplete(done -> {
          writesPending--;
          refillIfWanted();
        });
      });
    }).recover(e -> {
      LOG.warn("poll of pipeline run {} could not be recorded: {}", run.id(), e.getMessage());
      return Future.succeededFuture();
    }).onComplete(done -> answered.tryComplete());
    return answered.future();
  }

  private Future<Void> commit(Claim claim, ResolvedIntegration integration, PollResult result) {
    PipelineRun run = claim.run();
    String connector = integration.type().wire();
    if (result.notModified()) {
      metrics.call(connector, "not_modified");
      return Future.succeededFuture();
    }
    metrics.call(connector, "ok");
    if (RunStatus.terminal(result.status())) {
      if (result.finishedAt() != null) {
        metrics.detected(java.time.Duration.between(result.finishedAt(), clock.instant()));
      }
      return completions.submit(new PipelineRunRepository.PolledEnd(run.id(), result.status(),
              result.vendorStatus(), result.webUrl(), result.runId(), claim.eventAt() == null ? "poll" : "webhook"))
          .onSuccess(ended -> ended.ifPresent(r -> {
            if (claim.eventAt() != null) {
              metrics.confirmedAfterEvent(java.time.Duration.between(claim.eventAt(), clock.instant()));
            }
            service.publishCompleted(r);
          })).mapEmpty();
    }
    if (changed(run, result) || run.consecutiveErrors() > 0) {
      return progressWrites.submit(new PipelineRunRepository.Progress(run.id(), result.status(),
          result.vendorStatus(), result.webUrl(), result.runId(), result.etag())).mapEmpty();
    }
    return Future.succeededFuture();
  }

  /** The integration's {@code config.maxConcurrentPolls}, else the scheduler's default. Pure. */
  static int concurrencyCap(io.vertx.core.json.JsonObject config, int defaultCap) {
    return config.getValue("maxConcurrentPolls") instanceof Number n && n.intValue() > 0 ? n.intValue() : defaultCap;
  }

  /** Whether a non-terminal poll saw anything worth writing. Pure. */
  static boolean changed(PipelineRun run, PollResult result) {
    return !Objects.equals(run.status(), result.status())
        || !Objects.equals(run.vendorStatus(), result.vendorStatus())
        || (result.runId() != null && !Objects.equals(run.vendorRunId(), result.runId()))
        || (result.webUrl() != null && !Objects.equals(run.webUrl(), result.webUrl()))
        || (result.etag() != null && !Objects.equals(run.etag(), result.etag()));
  }

  private Future<Void> failed(PipelineRun run, ResolvedIntegration integration, Throwable error) {
    String connector = integration.type().wire();
    if (error instanceof CiException.RateLimited limited) {
      metrics.call(connector, "rate_limited");
      metrics.rateLimitPause(connector);
      pausedUntil.merge(integration.id(), limited.resumeAt(), (a, b) -> a.isAfter(b) ? a : b);
      LOG.info("integration {} is rate-limited; pausing its polls until {}", integration.name(), limited.resumeAt());
      return runs.postponeIntegration(integration.id(), limited.resumeAt());
    }
    if (error instanceof CiException.Unauthorized || error instanceof CiException.NotFound
        || error instanceof CiException.Rejected) {
      metrics.call(connector, error instanceof CiException.Unauthorized ? "unauthorized"
          : error instanceof CiException.NotFound ? "not_found" : "rejected");
      return service.complete(run.id(), RunStatus.FAILED, "error", null, error.getMessage(), "poll", null).mapEmpty();
    }
    metrics.call(connector, "error");
    int retryIn = Backoff.polling(run.pollIntervalSeconds()).delaySeconds(run.consecutiveErrors() + 1);
    return runs.failedPoll(run.id(), String.valueOf(error.getMessage()), retryIn);
  }

}
