package org.stellaops.orchestrator.workflow;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stellaops.orchestrator.auth.Principal;
import org.stellaops.orchestrator.ci.PipelineRun;
import org.stellaops.orchestrator.ci.PipelineRunService;
import org.stellaops.orchestrator.ci.RunStatus;
import org.stellaops.orchestrator.ci.TriggerRun;
import org.stellaops.orchestrator.ci.WatchRun;
import org.stellaops.orchestrator.platform.ApiException;
import org.stellaops.orchestrator.platform.EventOutbox;
import org.stellaops.orchestrator.platform.Ids;
import org.stellaops.orchestrator.release.ReleaseService;
import org.stellaops.orchestrator.reporting.StatusReports;

/**
 * Runs promotions as persisted state machines. A step ({@link StepExecutor}, one per
 * {@link StepType}) either finishes at once (an HTTP call answered, a pipeline triggered without
 * waiting) or parks the promotion on a key ({@link WaitingOn}) — a pipeline run, an approval, a
 * deploy callback — and holds no thread and no timer; the event's arrival, on whichever replica
 * receives it, resumes it. Every result, immediate or later, is recorded by {@link #apply}
 * through {@link PromotionRepository#transition}, conditional on the version read, so a
 * duplicated event moves a promotion at most once. Starting promotions is {@link PromotionStarts},
 * ending them {@link PromotionEnds}.
 */
public final class PromotionEngine {

  private static final Logger LOG = LoggerFactory.getLogger(PromotionEngine.class);
  /** Time for what a running step does besides its request: reading the release, recording the result. */
  static final Duration STEP_MARGIN = Duration.ofSeconds(60);

  private final PromotionRepository promotions;
  private final EnvironmentService environments;
  private final ReleaseService releases;
  private final PipelineRunService pipelineRuns;
  private final DeployCancellation cancellations;
  private final PromotionStarts starts;
  private final PromotionEnds ends;
  private final Map<StepType, StepExecutor> executors;
  private final ApprovalStep approvals;
  private final DeployStep deploys;

  /** {@code publicUrl}: the gateway's address as deploy targets reach it, for their callback URL. */
  public PromotionEngine(PromotionRepository promotions, EnvironmentService environments, ReleaseService releases,
      PipelineRunService pipelineRuns, StatusReports reports, WebClient http, EventBus eventBus, StepSecrets secrets,
      String publicUrl, MeterRegistry registry, EventOutbox outbox) {
    this.promotions = promotions;
    this.environments = environments;
    this.releases = releases;
    this.pipelineRuns = pipelineRuns;
    this.cancellations = new DeployCancellation(promotions, http, secrets);
    Consumer<UUID> advance = this::advance;
    this.starts = new PromotionStarts(promotions, environments, releases, reports, eventBus, outbox, advance);
    this.ends = new PromotionEnds(promotions, reports, eventBus, outbox, registry);
    this.executors = StepType.executors(new StepServices(promotions, pipelineRuns, http, secrets,
        publicUrl.replaceAll("/+$", ""), this::apply));
    this.approvals = (ApprovalStep) executors.get(StepType.APPROVAL);
    this.deploys = (DeployStep) executors.get(StepType.DEPLOY);
  }

  /** {@code POST /promotions {releaseId, targetEnvironmentId, reason?}}; see {@link PromotionStarts#start}. */
  public Future<Promotion> start(JsonObject body, Principal caller) {
    return starts.start(body, caller);
  }

  /** {@code release.created}; see {@link PromotionStarts#onReleaseCreated}. */
  public Future<Void> onReleaseCreated(String releaseId) {
    return starts.onReleaseCreated(releaseId);
  }

  /** {@code promotion.completed}; see {@link PromotionStarts#onPromotionCompleted}. */
  public Future<Void> onPromotionCompleted(String promotionId) {
    return starts.onPromotionCompleted(promotionId);
  }

  /** {@code POST /deployments/{jobId}/rollback}; see {@link PromotionStarts#rollback}. */
  public Future<Promotion> rollback(String jobId, Principal caller) {
    return starts.rollback(jobId, caller);
  }

  /** {@code POST /promotions/{id}/approve|reject}; see {@link ApprovalStep#decide}. */
  public Future<Promotion> decide(String id, boolean approve, String comment, Principal caller) {
    return approvals.decide(id, approve, comment, caller);
  }

  /** {@code POST /deployments/{jobId}/callback}; see {@link DeployStep#callback}. */
  public Future<Void> deployCallback(String jobId, String token, Supplier<JsonObject> body) {
    return deploys.callback(jobId, token, body);
  }

  /** Runs steps until one waits or the workflow ends. Safe to call any number of times. */
  public void advance(UUID id) {
    promotions.find(id).compose(found -> found.isEmpty() ? Future.succeededFuture() : step(found.get()))
        .onFailure(e -> LOG.warn("promotion {} could not advance: {}", id, e.getMessage()));
  }

  private Future<Void> step(Promotion p) {
    if (p.terminal() || p.waitingOn() != null) {
      return Future.succeededFuture();
    }
    if (p.current() == null) {
      return ends.finish(p, PromotionStatus.DEPLOYED, null, false);
    }
    ParsedStep step = ParsedStep.of(p.current());
    if (step.status() == StepStatus.RUNNING) {
      return stranded(p.current(), Instant.now()) ? abandon(p, step) : Future.succeededFuture();
    }
    if (step.status() != StepStatus.PENDING) {
      return Future.succeededFuture();
    }
    JsonArray steps = withCurrent(p, s -> s.put("status", StepStatus.RUNNING.wire())
        .put("startedAt", Instant.now().toString()));
    PromotionStatus status = step.type() == null ? PromotionStatus.DEPLOYING : step.type().runningStatus();
    // Claim the step: of two replicas advancing the same promotion, one gets here.
    return promotions.transition(p, status.wire(), steps, p.currentStep(), null, null)
        .compose(claimed -> claimed.isEmpty() ? Future.succeededFuture() : run(claimed.get()));
  }

  /** Runs the current step of a promotion that just claimed it, and records what came of it. */
  private Future<Void> run(Promotion p) {
    ParsedStep step = ParsedStep.of(p.current());
    Principal actor = new Principal("promotion", p.id().toString(), p.requestedBy(), Set.of());
    return releases.get(p.releaseId().toString()).compose(release -> environments.get(p.targetEnvironmentId()
            .toString()).compose(env -> step.type() == null
                ? Future.succeededFuture(StepResult.error("unknown step type " + step.typeName(), null))
                : executors.get(step.type()).execute(step, new StepContext(p, release, env, actor))))
        .recover(e -> Future.succeededFuture(StepResult.error(e.getMessage(), null)))
        .compose(result -> apply(p, result));
  }

  /**
   * True when a step marked running can no longer be running anywhere: longer ago than its own
   * request's timeout ({@link StepType#requestSeconds}: a deploy's or http step's
   * {@code config.timeout}; 10 minutes for the others) plus {@link #STEP_MARGIN}. Only a replica
   * that was killed, or stopped before the step ended, leaves a step like that: a live one
   * records a result when the request ends or times out. A step without a readable
   * {@code startedAt} is taken as stranded.
   */
  static boolean stranded(JsonObject stored, Instant now) {
    ParsedStep step = ParsedStep.of(stored);
    long requestSeconds = step.type() == null ? 600 : step.type().requestSeconds(step.config());
    try {
      Instant startedAt = Instant.parse(step.startedAt());
      return now.isAfter(startedAt.plusSeconds(requestSeconds).plus(STEP_MARGIN));
    } catch (RuntimeException unreadable) {
      return true;
    }
  }

  /**
   * Fails a stranded step, and so its promotion, rather than run it again: its request (a
   * pipeline trigger, a deploy) may already have reached its target, and a second one could
   * deploy or build twice. Whoever holds the promotion's version first records it, so a late
   * result from a step that was only slow is dropped, as one replica's move always is.
   */
  private Future<Void> abandon(Promotion p, ParsedStep step) {
    LOG.warn("promotion {}: step {} has been running since {} on a replica that is gone; failing it", p.id(),
        step.id(), step.startedAt());
    return apply(p, StepResult.error("step " + step.id() + " was interrupted: the replica running it "
        + "stopped before it recorded a result; it was not run again, since its request may have reached its "
        + "target. Start a new promotion to retry.", new JsonObject().put("startedAt", step.startedAt())));
  }

  /**
   * Records a result of the current step, under the version {@code p} was read at, and acts on
   * it: {@link StepResult.Done} runs the next step (or ends the promotion as deployed),
   * {@link StepResult.Waiting} parks the promotion (and checks the awaited event has not already
   * happened), {@link StepResult.Failed} ends it. Someone having moved the promotion first makes
   * this a no-op.
   */
  Future<Void> apply(Promotion p, StepResult result) {
    String now = Instant.now().toString();
    if (result instanceof StepResult.Waiting waiting) {
      JsonArray steps = withCurrent(p, s -> merge(s, waiting.outputs()).put("status", StepStatus.WAITING.wire()));
      return promotions.transition(p, p.status(), steps, p.currentStep(), waiting.on(), null)
          .compose(moved -> moved.map(this::checkAlreadyDone).orElse(Future.succeededFuture()));
    }
    if (result instanceof StepResult.Done done) {
      JsonArray steps = withCurrent(p, s -> merge(s, done.outputs()).put("status", StepStatus.SUCCEEDED.wire())
          .put("finishedAt", now));
      return promotions.transition(p, done.between().wire(), steps, p.currentStep() + 1, null, null)
          .compose(moved -> moved.map(this::step).orElse(Future.succeededFuture()));
    }
    StepResult.Failed failed = (StepResult.Failed) result;
    boolean rejected = failed.cause() == StepResult.Cause.REJECTED;
    JsonArray steps = withCurrent(p, s -> {
      merge(s, failed.outputs()).put("status", StepStatus.FAILED.wire()).put("error", failed.error());
      if (failed.details() != null) {
        s.put("details", failed.details());
      }
      if (!rejected) {
        s.put("finishedAt", now);
      }
    });
    PromotionStatus end = rejected ? PromotionStatus.REJECTED : PromotionStatus.FAILED;
    return promotions.transition(p, p.status(), steps, p.currentStep(), null, failed.error())
        .compose(moved -> moved.map(m -> ends.finish(m, end, failed.error(),
                failed.cause() == StepResult.Cause.GATEWAY))
            .orElse(Future.succeededFuture()));
  }

  /** A copy of the promotion's steps with {@code change} made to the current one. */
  private static JsonArray withCurrent(Promotion p, Consumer<JsonObject> change) {
    JsonArray steps = p.steps().copy();
    change.accept(steps.getJsonObject(p.currentStep()));
    return steps;
  }

  private static JsonObject merge(JsonObject step, JsonObject outputs) {
    return step.put("outputs", step.getJsonObject("outputs", new JsonObject()).mergeIn(outputs));
  }

  /** A wait whose event may already have happened (a run that finished before we started waiting). */
  private Future<Void> checkAlreadyDone(Promotion p) {
    String run = WaitingOn.RUN.idIn(p.waitingOn());
    if (run != null) {
      return pipelineRuns.get(run).compose(r -> RunStatus.terminal(r.status())
          ? onRunCompleted(p, r) : Future.succeededFuture());
    }
    if (WaitingOn.APPROVAL.idIn(p.waitingOn()) != null) {
      return approvals.tally(p);
    }
    return Future.succeededFuture();
  }

  /**
   * After a restart: promotions between steps move on, and promotions waiting on a run that
   * ended while no replica was listening (the event published before the promotion recorded its
   * wait, or lost with a crashed process) pick up the run's outcome.
   */
  public Future<Void> recover() {
    return promotions.resumable().compose(ids -> {
      ids.forEach(this::advance);
      return promotions.waitingOnRuns();
    }).compose(runs -> Future.all(runs.stream().map(this::runCompleted).toList())).mapEmpty();
  }

  /** Seals step header values stored in plaintext; see {@link EnvironmentService#sealStoredHeaders}. */
  public Future<Integer> sealStoredHeaders() {
    return environments.sealStoredHeaders(promotions);
  }

  /** {@code ci.run.completed}: resume every promotion waiting on that run. */
  public Future<Void> runCompleted(String pipelineRunId) {
    return promotions.waitingOn(WaitingOn.RUN.key(pipelineRunId))
        .compose(ids -> resumeWaiting(pipelineRunId, ids));
  }

  /**
   * For each of many ended runs, in order, the promotions waiting on it, in one query: polls end
   * runs in bursts of hundreds (group-committed), and a query per run crowded the database pool
   * that the poller's claims share (bench/poll-scale.md).
   */
  public Future<List<List<UUID>>> waitingOnRuns(List<String> pipelineRunIds) {
    return promotions.waitingOnEach(pipelineRunIds.stream().map(WaitingOn.RUN::key).toList());
  }

  /** Resumes the promotions found waiting on an ended run (each re-checked under its version). */
  public Future<Void> resumeWaiting(String pipelineRunId, List<UUID> ids) {
    return Future.all(ids.stream()
        .map(id -> promotions.find(id).compose(p -> p.isEmpty() ? Future.succeededFuture()
            : pipelineRuns.get(pipelineRunId).compose(run -> onRunCompleted(p.get(), run))))
        .toList()).mapEmpty();
  }

  /** Records the outcome of the run the promotion waits on, once it has ended; see {@link WaitCiStep#ended}. */
  private Future<Void> onRunCompleted(Promotion p, PipelineRun run) {
    if (!WaitingOn.RUN.key(run.id()).equals(p.waitingOn()) || !RunStatus.terminal(run.status())) {
      return Future.succeededFuture();
    }
    return apply(p, WaitCiStep.ended(ParsedStep.of(p.current()), run));
  }

  /**
   * {@code POST /promotions/{id}/cancel}: ends the promotion; a pipeline it waits on is cancelled
   * too, and a deploy target that answered 202 is sent a DELETE to the deployment's URL (see
   * {@link DeployCancellation}) once the promotion has ended.
   */
  public Future<Promotion> cancel(String id) {
    return get(id).compose(p -> {
      if (p.terminal()) {
        throw ApiException.conflict("promotion " + id + " already ended: " + p.status());
      }
      return promotions.transition(p, p.status(), p.steps(), p.currentStep(), null, "cancelled")
          .compose(moved -> {
            if (moved.isEmpty()) {
              throw ApiException.conflict("promotion " + id + " changed meanwhile; try again");
            }
            String run = WaitingOn.RUN.idIn(p.waitingOn());
            if (run != null) {
              pipelineRuns.cancel(run)
                  .onFailure(e -> LOG.info("pipeline run of cancelled promotion {}: {}", id, e.getMessage()));
            }
            Future<Void> finished = ends.finish(moved.get(), PromotionStatus.CANCELLED, "cancelled", false);
            if (WaitingOn.DEPLOY.idIn(p.waitingOn()) != null) {
              finished.onSuccess(v -> cancellations.notifyTarget(p.id(), p.currentStep()));
            }
            return finished;
          })
          .compose(v -> get(id));
    });
  }

  public Future<Promotion> get(String id) {
    return promotions.find(Ids.uuidOr404(id, "promotion"))
        .map(found -> found.orElseThrow(() -> ApiException.notFound("promotion " + id)));
  }

  public Future<List<Promotion>> list(String releaseId) {
    return promotions.list(optionalUuid(releaseId, "releaseId"), 200);
  }

  public Future<JsonObject> job(String jobId) {
    return promotions.job(Ids.uuidOr404(jobId, "deployment"))
        .map(found -> found.orElseThrow(() -> ApiException.notFound("deployment " + jobId)));
  }

  public Future<List<JsonObject>> jobs(String environmentId) {
    return promotions.jobs(optionalUuid(environmentId, "environmentId"), 200);
  }

  /** A query parameter's UUID, null when absent; a 400 when it is not one. */
  private static UUID optionalUuid(String raw, String name) {
    if (raw == null) {
      return null;
    }
    UUID id = Ids.uuidOrNull(raw);
    if (id == null) {
      throw ApiException.badRequest(name + " must be a UUID");
    }
    return id;
  }
}
