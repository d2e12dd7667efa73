package org.stellaops.orchestrator.workflow;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.stellaops.orchestrator.egress.EgressDeniedException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
import org.stellaops.orchestrator.platform.Events;
import org.stellaops.orchestrator.platform.InTransaction;
import org.stellaops.orchestrator.platform.Ids;
import org.stellaops.orchestrator.platform.Validator;
import org.stellaops.orchestrator.release.Release;
import org.stellaops.orchestrator.release.ReleaseService;
import org.stellaops.orchestrator.reporting.StatusReports;

/**
 * Runs promotions as persisted state machines. A step either finishes at once (an HTTP call
 * answered, a pipeline triggered without waiting) or parks the promotion on a key — a pipeline
 * run, an approval, a deploy callback — and holds no thread and no timer; {@link #resume} picks
 * it up when the event arrives, on whichever replica receives it. Every change goes through
 * {@link PromotionRepository#transition}, conditional on the version read, so a duplicated
 * event moves a promotion at most once. A promotion's start and end commit together with their
 * subscriber events and deployment status reports ({@link EventOutbox}, {@link StatusReports}).
 */
public final class PromotionEngine {

  private static final Logger LOG = LoggerFactory.getLogger(PromotionEngine.class);

  private final PromotionRepository promotions;
  private final EnvironmentService environments;
  private final ReleaseService releases;
  private final PipelineRunService pipelineRuns;
  private final StatusReports reports;
  private final WebClient http;
  private final EventBus eventBus;
  private final StepSecrets secrets;
  private final String publicUrl;
  private final EventOutbox outbox;
  private final DeployCancellation cancellations;

  /** {@code publicUrl}: the gateway's address as deploy targets reach it, for their callback URL. */
  /** stella_promotions_total by end state (deployed, failed, rejected, cancelled). */
  private final Map<String, Counter> ended = new HashMap<>();

  public PromotionEngine(PromotionRepository promotions, EnvironmentService environments, ReleaseService releases,
      PipelineRunService pipelineRuns, StatusReports reports, WebClient http, EventBus eventBus, StepSecrets secrets,
      String publicUrl, MeterRegistry registry, EventOutbox outbox) {
    // One series per end state from the start, at 0, so increase() sees the first failure.
    for (String outcome : List.of("deployed", "failed", "rejected", "cancelled")) {
      ended.put(outcome, Counter.builder("stella.promotions").tag("outcome", outcome)
          .description("Promotions ended, by outcome").register(registry));
    }
    this.promotions = promotions;
    this.environments = environments;
    this.releases = releases;
    this.pipelineRuns = pipelineRuns;
    this.reports = reports;
    this.http = http;
    this.eventBus = eventBus;
    this.secrets = secrets;
    this.publicUrl = publicUrl.replaceAll("/+$", "");
    this.outbox = outbox;
    this.cancellations = new DeployCancellation(promotions, http, secrets);
  }

  /** {@code POST /promotions {releaseId, targetEnvironmentId, reason?}}: snapshot the workflow and start it. */
  public Future<Promotion> start(JsonObject body, Principal caller) {
    Validator v = new Validator(body);
    UUID releaseId = required(v, "releaseId");
    UUID environmentId = required(v, "targetEnvironmentId");
    String reason = v.optionalString("reason", 1000);
    v.throwIfInvalid();
    return releases.get(releaseId.toString())
        .recover(e -> Future.failedFuture(ApiException.unprocessable("UNKNOWN_RELEASE", "no release " + releaseId,
            (JsonObject) null)))
        .compose(release -> environments.get(environmentId.toString())
            .recover(e -> Future.failedFuture(ApiException.unprocessable("UNKNOWN_ENVIRONMENT",
                "no environment " + environmentId, (JsonObject) null)))
            .compose(env -> {
              String freeze = frozen(env, Instant.now());
              if (freeze != null) {
                throw ApiException.unprocessable("FREEZE_WINDOW", "environment " + env.name() + " is frozen: " + freeze,
                    (JsonObject) null);
              }
              return begin(release.id(), env, snapshot(env.workflow()), caller.actor(),
                  FourEyes.principalId(caller), reason, "manual", InTransaction.nothing());
            }));
  }

  /** The freeze window {@code now} falls in ({@code start <= now < end}), described, or null. Pure. */
  static String frozen(Environment env, Instant now) {
    for (Object w : env.freezeWindows()) {
      JsonObject window = (JsonObject) w;
      Instant start = java.time.OffsetDateTime.parse(window.getString("start")).toInstant();
      Instant end = java.time.OffsetDateTime.parse(window.getString("end")).toInstant();
      if (!now.isBefore(start) && now.isBefore(end)) {
        return window.getString("start") + " to " + window.getString("end")
            + (window.getString("reason") == null ? "" : " (" + window.getString("reason") + ")");
      }
    }
    return null;
  }

  /**
   * Creates the promotion and its deployment job and, in the same transaction, their
   * {@code promotion.started} and {@code deployment.started} events, their "start" status
   * reports and {@code also}; then starts the first step.
   */
  private Future<Promotion> begin(UUID releaseId, Environment env, JsonArray steps, String actor, String actorId,
      String reason, String trigger, InTransaction<Promotion> also) {
    InTransaction<Promotion> started = (conn, p) -> outbox.enqueue(conn, List.of(
        new EventOutbox.Event(Events.PROMOTION_STARTED, ids(p)), new EventOutbox.Event(Events.DEPLOYMENT_STARTED, ids(p))));
    return reports.targets(releaseId).compose(targets -> promotions.insert(releaseId, env.id(), steps,
            env.requiredApprovals(), actor, actorId, reason, trigger, started
                .andThen((conn, p) -> reports.enqueue(conn, p.deploymentJobId(), targets, "start"))
                .andThen(also)))
        .onSuccess(p -> {
          eventBus.publish(Events.PROMOTION_STARTED, ids(p));
          eventBus.publish(Events.DEPLOYMENT_STARTED, ids(p));
          advance(p.id());
        });
  }

  /**
   * Automatic promotion: a new release goes to every auto-promoting
   * environment without {@code autoPromoteFrom}; a release deployed to an environment goes on
   * to the auto-promoting environments that name it. Each starts once per release and
   * environment, however many replicas receive the event.
   */
  public Future<Void> autoPromote(UUID releaseId, UUID deployedTo) {
    return environments.list().compose(all -> Future.all(all.stream()
        .filter(env -> env.autoPromote() && java.util.Objects.equals(env.autoPromoteFrom(), deployedTo))
        .filter(env -> {
          String freeze = frozen(env, Instant.now());
          if (freeze != null) {
            LOG.info("release {} not auto-promoted to {}: frozen {}", releaseId, env.name(), freeze);
          }
          return freeze == null;
        })
        .map(env -> begin(releaseId, env, snapshot(env.workflow()), "auto-promotion", FourEyes.AUTOMATIC,
            deployedTo == null ? "new release" : "deployed to " + deployedTo, "auto", InTransaction.nothing())
            .recover(e -> Ids.uniqueViolation(e)
                ? Future.succeededFuture() : Future.failedFuture(e)))
        .toList())).mapEmpty();
  }

  /**
   * {@code release.created}: auto-promotes the release the message names only as PostgreSQL
   * has it; a message naming no release (forged, or from a replica on another database) does
   * nothing.
   */
  public Future<Void> onReleaseCreated(String releaseId) {
    UUID id = parseEventId(releaseId);
    if (id == null) {
      return Future.succeededFuture();
    }
    return releases.get(id.toString()).transform(found -> found.failed()
        ? Future.succeededFuture() : autoPromote(found.result().id(), null));
  }

  /**
   * {@code promotion.completed}: a promotion that deployed moves its release on to the
   * environments that auto-promote from its environment. What it acts on (that the promotion
   * deployed, what started it, its release and environment) is read from PostgreSQL, never
   * taken from the message, whose sender is not authenticated on a cluster's event bus.
   */
  public Future<Void> onPromotionCompleted(String promotionId) {
    UUID id = parseEventId(promotionId);
    if (id == null) {
      return Future.succeededFuture();
    }
    return promotions.find(id).compose(found -> found.isPresent() && promotesOnward(found.get())
        ? autoPromote(found.get().releaseId(), found.get().targetEnvironmentId())
        : Future.succeededFuture());
  }

  /**
   * Whether a completed promotion carries its release on to the environments downstream: only
   * one that deployed, and never a rollback. A rollback puts an older release back into one
   * environment; promoting that release onwards would roll back the environments after it too,
   * which nobody asked for. Pure.
   */
  static boolean promotesOnward(Promotion p) {
    return "deployed".equals(p.status()) && !"rollback".equals(p.trigger());
  }

  private static UUID parseEventId(String id) {
    return Ids.uuidOrNull(id);
  }

  /**
   * {@code POST /deployments/{jobId}/rollback}: redeploys the digests of the environment's
   * previous successful release, running only the environment's deploy steps, and marks the
   * rolled-back job.
   */
  public Future<Promotion> rollback(String jobId, Principal caller) {
    UUID job = Ids.uuidOr404(jobId, "deployment");
    return job(jobId).compose(current -> {
      UUID environmentId = UUID.fromString(current.getString("environmentId"));
      UUID releaseId = UUID.fromString(current.getString("releaseId"));
      java.time.OffsetDateTime createdAt = java.time.OffsetDateTime.parse(current.getString("createdAt"));
      return promotions.lastGoodReleaseBefore(environmentId, createdAt, releaseId).compose(previous -> {
        if (previous.isEmpty()) {
          throw ApiException.unprocessable("NOTHING_TO_ROLL_BACK_TO", "no earlier successful release in this "
              + "environment to roll back to", (JsonObject) null);
        }
        return environments.get(environmentId.toString()).compose(env -> {
          JsonArray deploySteps = new JsonArray();
          env.workflow().forEach(s -> {
            if ("deploy".equals(((JsonObject) s).getString("type"))) {
              deploySteps.add(s);
            }
          });
          // The rolled-back job is marked, and the rollback announced, with the rollback's creation.
          InTransaction<Promotion> rolledBack = (conn, p) -> promotions.markRolledBack(conn, job, p.deploymentJobId())
              .compose(v -> outbox.enqueue(conn, List.of(new EventOutbox.Event(Events.DEPLOYMENT_ROLLBACK_INITIATED,
                  rollbackEvent(p, jobId, previous.get())))));
          return begin(previous.get(), env, snapshot(deploySteps), caller.actor(), FourEyes.principalId(caller),
              "rollback of " + jobId, "rollback", rolledBack);
        }).onSuccess(p -> eventBus.publish(Events.DEPLOYMENT_ROLLBACK_INITIATED,
            rollbackEvent(p, jobId, previous.get())));
      });
    });
  }

  /** The workflow as the promotion will run it: every step pending, nothing produced yet. */
  static JsonArray snapshot(JsonArray workflow) {
    JsonArray steps = new JsonArray();
    workflow.forEach(s -> steps.add(((JsonObject) s).copy().put("status", "pending").put("outputs", new JsonObject())));
    return steps;
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
    JsonObject step = p.current();
    if (step == null) {
      return finish(p, "deployed", null);
    }
    if ("running".equals(step.getString("status"))) {
      return stranded(step, Instant.now()) ? abandon(p, step) : Future.succeededFuture();
    }
    if (!"pending".equals(step.getString("status"))) {
      return Future.succeededFuture();
    }
    JsonArray steps = p.steps().copy();
    steps.getJsonObject(p.currentStep()).put("status", "running").put("startedAt", Instant.now().toString());
    String status = "approval".equals(step.getString("type")) ? "awaiting_approval" : "deploying";
    // Claim the step: of two replicas advancing the same promotion, one gets here.
    return promotions.transition(p, status, steps, p.currentStep(), null, null).compose(claimed -> claimed.isEmpty()
        ? Future.succeededFuture()
        : releases.get(p.releaseId().toString()).compose(release -> environments.get(p.targetEnvironmentId().toString())
            .compose(env -> execute(claimed.get(), release, env)))
            .recover(e -> Future.succeededFuture(StepResult.error(e.getMessage(), null)))
            .compose(result -> apply(claimed.get(), result)));
  }

  /** Time for what a running step does besides its request: reading the release, recording the result. */
  static final Duration STEP_MARGIN = Duration.ofSeconds(60);

  /**
   * True when a step marked running can no longer be running anywhere: longer ago than its own
   * request's timeout (a deploy's or http step's {@code config.timeout}; 10 minutes for the CI
   * steps, whose requests time out after seconds) plus {@link #STEP_MARGIN}. Only a replica that
   * was killed, or stopped before the step ended, leaves a step like that: a live one records a
   * result when the request ends or times out. A step without a readable {@code startedAt} is
   * taken as stranded.
   */
  static boolean stranded(JsonObject step, Instant now) {
    JsonObject config = step.getJsonObject("config", new JsonObject());
    long requestSeconds = switch (String.valueOf(step.getString("type"))) {
      case "deploy" -> config.getInteger("timeout", 600);
      case "http" -> config.getInteger("timeout", 60);
      default -> 600;
    };
    try {
      Instant startedAt = Instant.parse(step.getString("startedAt"));
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
  private Future<Void> abandon(Promotion p, JsonObject step) {
    LOG.warn("promotion {}: step {} has been running since {} on a replica that is gone; failing it", p.id(),
        step.getString("id"), step.getString("startedAt"));
    return apply(p, StepResult.error("step " + step.getString("id") + " was interrupted: the replica running it "
        + "stopped before it recorded a result; it was not run again, since its request may have reached its "
        + "target. Start a new promotion to retry.", new JsonObject().put("startedAt", step.getString("startedAt"))));
  }

  /** What running a step produced. */
  record StepResult(String outcome, JsonObject outputs, String waitKey, String error, JsonObject details) {
    static StepResult done(JsonObject outputs) {
      return new StepResult("succeeded", outputs, null, null, null);
    }

    static StepResult waiting(String key, JsonObject outputs) {
      return new StepResult("waiting", outputs, key, null, null);
    }

    static StepResult failed(String error, JsonObject details) {
      return new StepResult("failed", new JsonObject(), null, error, details);
    }

    /** The gateway could not carry the step out (its CI refused or was unreachable, a replica stopped, a bug). */
    static StepResult error(String error, JsonObject details) {
      return new StepResult("error", new JsonObject(), null, error, details);
    }
  }

  private Future<StepResult> execute(Promotion p, Release release, Environment env) {
    JsonObject step = p.current();
    JsonObject config = step.getJsonObject("config", new JsonObject());
    Principal actor = new Principal("promotion", p.id().toString(), p.requestedBy(), java.util.Set.of());
    return switch (step.getString("type")) {
      case "trigger-ci" -> triggerCi(p, release, env, config, actor);
      case "wait-ci" -> waitCi(p, config, actor);
      case "deploy" -> deploy(p, release, env, config);
      case "approval" -> Future.succeededFuture(config.getInteger("requiredApprovals", p.requiredApprovals()) <= 0
          ? StepResult.done(new JsonObject().put("approvers", new JsonArray()))
          : StepResult.waiting("approval:" + p.id(), new JsonObject()));
      case "http" -> httpStep(p, config);
      default -> Future.succeededFuture(StepResult.error("unknown step type " + step.getString("type"), null));
    };
  }

  /**
   * The trigger-ci step: ref defaults to the release's sourceRef tag, then its branch, then (in the trigger)
   * the repository's default branch; STELLA_* variables are added where the pipeline takes them.
   */
  private Future<StepResult> triggerCi(Promotion p, Release release, Environment env, JsonObject config,
      Principal actor) {
    String ref = config.getString("ref");
    if (ref == null && release.sourceRef() != null) {
      ref = release.sourceRef().getString("tag", release.sourceRef().getString("branch"));
    }
    boolean wait = config.getBoolean("waitForCompletion", true);
    TriggerRun command = new TriggerRun(new TriggerRun.Target(Ids.uuidOrNull(config.getString("integrationId").trim()),
            config.getString("pipelineId"), ref),
        new TriggerRun.Inputs(config.getJsonObject("variables", new JsonObject()),
            config.getJsonObject("pipelineInputs")),
        wait, config.getInteger("timeout", 3600), new TriggerRun.Context(release.id(), p.id(), env.name()));
    return pipelineRuns.trigger(command, actor).map(run -> {
      JsonObject outputs = runOutputs(run);
      return wait ? StepResult.waiting("run:" + run.id(), outputs) : StepResult.done(outputs);
    });
  }

  /** The wait-ci step: the run id from config or from an input naming an earlier step's output. */
  private Future<StepResult> waitCi(Promotion p, JsonObject config, Principal actor) {
    JsonObject step = p.current();
    Object runId = config.getValue("runId");
    if (runId == null) {
      String input = config.getString("runIdInput");
      String ref = step.getJsonObject("inputs", new JsonObject()).getString(input);
      runId = ref == null ? null : output(p, ref);
    }
    if (runId == null) {
      return Future.succeededFuture(StepResult.failed("Pipeline run ID not provided", null));
    }
    WatchRun command = new WatchRun(Ids.uuidOrNull(config.getString("integrationId").trim()), pipelineOf(p, config),
        String.valueOf(runId), config.getInteger("timeout", 3600));
    return pipelineRuns.watch(command, actor).map(run -> StepResult.waiting("run:" + run.id(), new JsonObject()));
  }

  /** The pipeline a wait-ci step watches: its own config, else the trigger-ci step it takes its run id from. */
  private static String pipelineOf(Promotion p, JsonObject config) {
    if (config.getString("pipelineId") != null) {
      return config.getString("pipelineId");
    }
    for (Object s : p.steps()) {
      JsonObject step = (JsonObject) s;
      if ("trigger-ci".equals(step.getString("type"))) {
        return step.getJsonObject("config").getString("pipelineId");
      }
    }
    return "unknown";
  }

  /** {@code stepId.output} of an earlier step. */
  static Object output(Promotion p, String ref) {
    int dot = ref.indexOf('.');
    String stepId = ref.substring(0, dot);
    for (Object s : p.steps()) {
      JsonObject step = (JsonObject) s;
      if (stepId.equals(step.getString("id"))) {
        return step.getJsonObject("outputs", new JsonObject()).getValue(ref.substring(dot + 1));
      }
    }
    return null;
  }

  /**
   * POSTs the release's digests to the deploy target; a 202 waits for the callback, another 2xx
   * is done, anything else (a 3xx included: redirects are never followed) fails the step. The
   * request carries {@code callback: {url, token}}: a fresh random token for this job, shown only
   * here and stored as its SHA-256, which the target presents to finish this deployment and no other.
   */
  private Future<StepResult> deploy(Promotion p, Release release, Environment env, JsonObject config) {
    JsonArray components = new JsonArray();
    release.components().forEach(c -> components.add(new JsonObject().put("name", c.componentName())
        .put("imageRepository", c.imageRepository()).put("digest", c.digest())
        .put("imageRef", c.imageRepository() + "@" + c.digest())));
    JsonObject body = new JsonObject().put("deploymentJobId", p.deploymentJobId().toString())
        .put("releaseId", release.id().toString()).put("releaseName", release.name()).put("environment", env.name())
        .put("components", components);
    var request = http.requestAbs(HttpMethod.POST, config.getString("url"))
        .timeout(config.getInteger("timeout", 600) * 1000L);
    secrets.open(p.targetEnvironmentId(), p.current()).forEach(request::putHeader);
    JsonObject outputs = new JsonObject().put("deploymentJobId", p.deploymentJobId().toString());
    String token = CallbackTokens.issue();
    body.put("callback", new JsonObject().put("url", callbackUrl(p.deploymentJobId())).put("token", token));
    return promotions.setCallbackHash(p.deploymentJobId(), CallbackTokens.hash(token))
        .compose(stored -> request.sendJsonObject(body)).map(response -> {
      if (response.statusCode() == 202) {
        String statusUrl = DeployCancellation.statusUrl(config.getString("url"), response.getHeader("Location"));
        if (statusUrl != null) {
          outputs.put("statusUrl", statusUrl);
        }
        return StepResult.waiting("deploy:" + p.deploymentJobId(), outputs.put("status", "running"));
      }
      if (response.statusCode() / 100 == 2) {
        return StepResult.done(outputs.put("status", "succeeded"));
      }
      return StepResult.failed("deploy target answered " + response.statusCode(), new JsonObject()
          .put("status", response.statusCode()));
    }).recover(e -> Future.succeededFuture(StepResult.failed("deploy target unreachable: " + e.getMessage(),
        unsent(e))));
  }

  /** The address a deploy target reports this job's outcome to. */
  String callbackUrl(UUID jobId) {
    return publicUrl + "/api/v1/deployments/" + jobId + "/callback";
  }

  /**
   * Calls the step's URL. Its outputs keep the status and at most {@link CappedBody#LIMIT}
   * bytes of the response body ({@code bodyTruncated} says when more came), never the response
   * headers: they may carry cookies or tokens of the called service.
   */
  private Future<StepResult> httpStep(Promotion p, JsonObject config) {
    HttpMethod method = HttpMethod.valueOf(config.getString("method", "GET").toUpperCase());
    var request = http.requestAbs(method, config.getString("url")).timeout(config.getInteger("timeout", 60) * 1000L)
        .as(new CappedBody(CappedBody.LIMIT));
    secrets.open(p.targetEnvironmentId(), p.current()).forEach(request::putHeader);
    Object body = config.getValue("body");
    Future<io.vertx.ext.web.client.HttpResponse<CappedBody.Result>> sent = body == null ? request.send()
        : request.sendBuffer(Buffer.buffer(body instanceof String s ? s : io.vertx.core.json.Json.encode(body)));
    int expected = config.getInteger("expectedStatus", 200);
    return sent.map(response -> {
      CappedBody.Result kept = response.body();
      JsonObject outputs = new JsonObject().put("status", response.statusCode())
          .put("body", kept == null ? "" : kept.text()).put("bodyTruncated", kept != null && kept.truncated());
      return response.statusCode() == expected ? StepResult.done(outputs)
          : StepResult.failed("expected HTTP " + expected + ", got " + response.statusCode(), outputs);
    }).recover(e -> Future.succeededFuture(StepResult.failed("http step failed: " + e.getMessage(), unsent(e))));
  }

  /** A step's error details when its request was never sent: the egress policy's code, for callers to act on. */
  private static JsonObject unsent(Throwable e) {
    return EgressDeniedException.in(e) ? new JsonObject().put("code", EgressDeniedException.CODE) : null;
  }

  /** Records a step's result and moves on, waits, or fails the promotion. */
  private Future<Void> apply(Promotion p, StepResult result) {
    JsonArray steps = p.steps().copy();
    JsonObject step = steps.getJsonObject(p.currentStep());
    step.put("outputs", step.getJsonObject("outputs", new JsonObject()).mergeIn(result.outputs()));
    switch (result.outcome()) {
      case "waiting" -> {
        step.put("status", "waiting");
        return promotions.transition(p, p.status(), steps, p.currentStep(), result.waitKey(), null)
            .compose(moved -> moved.map(this::checkAlreadyDone).orElse(Future.succeededFuture()));
      }
      case "succeeded" -> {
        step.put("status", "succeeded").put("finishedAt", Instant.now().toString());
        return promotions.transition(p, "deploying", steps, p.currentStep() + 1, null, null)
            .compose(moved -> moved.map(this::step).orElse(Future.succeededFuture()));
      }
      default -> {
        step.put("status", "failed").put("error", result.error()).put("details", result.details())
            .put("finishedAt", Instant.now().toString());
        return promotions.transition(p, p.status(), steps, p.currentStep(), null, result.error())
            .compose(moved -> moved.map(m -> finish(m, "failed", result.error(), "error".equals(result.outcome())))
                .orElse(Future.succeededFuture()));
      }
    }
  }

  /** A wait whose event may already have happened (a run that finished before we started waiting). */
  private Future<Void> checkAlreadyDone(Promotion p) {
    if (p.waitingOn() != null && p.waitingOn().startsWith("run:")) {
      return pipelineRuns.get(p.waitingOn().substring(4)).compose(run -> RunStatus.terminal(run.status())
          ? onRunCompleted(p, run) : Future.succeededFuture());
    }
    if (p.waitingOn() != null && p.waitingOn().startsWith("approval:")) {
      return onApprovals(p);
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
    return promotions.waitingOn("run:" + pipelineRunId).compose(ids -> resumeWaiting(pipelineRunId, ids));
  }

  /**
   * For each of many ended runs, in order, the promotions waiting on it, in one query: polls end
   * runs in bursts of hundreds (group-committed), and a query per run crowded the database pool
   * that the poller's claims share (bench/poll-scale.md).
   */
  public Future<List<List<UUID>>> waitingOnRuns(List<String> pipelineRunIds) {
    return promotions.waitingOnEach(pipelineRunIds.stream().map(id -> "run:" + id).toList());
  }

  /** Resumes the promotions found waiting on an ended run (each re-checked under its version). */
  public Future<Void> resumeWaiting(String pipelineRunId, List<UUID> ids) {
    return Future.all(ids.stream()
        .map(id -> promotions.find(id).compose(p -> p.isEmpty() ? Future.succeededFuture()
            : pipelineRuns.get(pipelineRunId).compose(run -> onRunCompleted(p.get(), run))))
        .toList()).mapEmpty();
  }

  /** A step's error: a failed pipeline fails the step with its message and details, unless failOnError is false. */
  private Future<Void> onRunCompleted(Promotion p, PipelineRun run) {
    if (!("run:" + run.id()).equals(p.waitingOn()) || !RunStatus.terminal(run.status())) {
      return Future.succeededFuture();
    }
    JsonObject step = p.current();
    boolean success = RunStatus.SUCCESS.equals(run.status());
    JsonObject outputs = "wait-ci".equals(step.getString("type"))
        ? new JsonObject().put("status", run.status()).put("success", success).put("pipelineRun", run.toJson(false))
        : runOutputs(run);
    boolean failOnError = step.getJsonObject("config", new JsonObject()).getBoolean("failOnError", true);
    JsonArray steps = p.steps().copy();
    JsonObject s = steps.getJsonObject(p.currentStep());
    s.put("outputs", s.getJsonObject("outputs", new JsonObject()).mergeIn(outputs)).put("finishedAt", Instant.now().toString());
    if (success || !failOnError) {
      s.put("status", "succeeded");
      return promotions.transition(p, "deploying", steps, p.currentStep() + 1, null, null)
          .compose(moved -> moved.map(this::step).orElse(Future.succeededFuture()));
    }
    String error = "Pipeline failed with status: " + run.status();
    s.put("status", "failed").put("error", error)
        .put("details", new JsonObject().put("pipelineRunId", run.vendorRunId()).put("status", run.status()));
    return promotions.transition(p, p.status(), steps, p.currentStep(), null, error)
        .compose(moved -> moved.map(m -> finish(m, "failed", error)).orElse(Future.succeededFuture()));
  }

  /**
   * {@code POST /promotions/{id}/approve|reject}: one decision per principal; enough distinct
   * approvals other than the requester's move on. The requester may reject (withdraw) the
   * promotion but never approve it.
   */
  public Future<Promotion> decide(String id, boolean approve, String comment, Principal caller) {
    UUID uuid = Ids.uuidOr404(id, "promotion");
    return get(id).compose(p -> {
      if (approve && FourEyes.isRequester(p, caller)) {
        throw ApiException.of(403, "SELF_APPROVAL", "promotion " + id + " was requested by " + p.requestedBy()
            + ", who cannot approve it: another principal with promotion:approve must (four-eyes rule)");
      }
      if (!("approval:" + uuid).equals(p.waitingOn())) {
        throw ApiException.conflict("promotion " + id + " is not waiting for approval (status " + p.status() + ")");
      }
      return promotions.decide(uuid, caller.actor(), FourEyes.principalId(caller), approve ? "approved" : "rejected",
          comment)
          .compose(v -> approve ? onApprovals(p) : reject(p, caller))
          .compose(v -> get(id));
    });
  }

  private Future<Void> onApprovals(Promotion p) {
    int required = p.current().getJsonObject("config", new JsonObject()).getInteger("requiredApprovals",
        p.requiredApprovals());
    return promotions.approvers(p.id()).compose(approvers -> {
      if (approvers.size() < required) {
        return Future.succeededFuture();
      }
      JsonArray steps = p.steps().copy();
      steps.getJsonObject(p.currentStep()).put("status", "succeeded").put("finishedAt", Instant.now().toString())
          .put("outputs", new JsonObject().put("approvers", new JsonArray(approvers)));
      return promotions.transition(p, "approved", steps, p.currentStep() + 1, null, null)
          .compose(moved -> moved.map(this::step).orElse(Future.succeededFuture()));
    });
  }

  private Future<Void> reject(Promotion p, Principal caller) {
    JsonArray steps = p.steps().copy();
    String error = "rejected by " + caller.actor();
    steps.getJsonObject(p.currentStep()).put("status", "failed").put("error", error);
    return promotions.transition(p, p.status(), steps, p.currentStep(), null, error)
        .compose(moved -> moved.map(m -> finish(m, "rejected", error)).orElse(Future.succeededFuture()));
  }

  /**
   * {@code POST /deployments/{jobId}/callback {status, message?}} from a deploy target that
   * answered 202, authenticated by the token its deploy request carried for this job. A missing
   * or wrong token, another job's, a used one, or one of a job that ended is a 401 that does not
   * say which; only then is the body read.
   */
  public Future<Void> deployCallback(String jobId, String token, java.util.function.Supplier<JsonObject> body) {
    UUID job = Ids.uuidOrNull(jobId);
    if (job == null) {
      return Future.failedFuture(CallbackTokens.refused(jobId));
    }
    if (token == null) {
      return Future.failedFuture(ApiException.unauthorized("send the deployment's callback token, from the deploy "
          + "request's callback.token, as Authorization: Bearer <token> or " + CallbackTokens.HEADER));
    }
    return promotions.callbackHash(job).compose(hash -> {
      if (hash.isEmpty() || !CallbackTokens.matches(token, hash.get())) {
        throw CallbackTokens.refused(jobId);
      }
      return finishDeployStep(job, jobId, body.get());
    });
  }

  private Future<Void> finishDeployStep(UUID job, String jobId, JsonObject body) {
    Validator v = new Validator(body);
    String status = v.requiredString("status", 32);
    if (status != null && !List.of("success", "succeeded", "failed", "failure").contains(status)) {
      v.error("status", "must be success or failed", "INVALID_VALUE");
    }
    String message = v.optionalString("message", 1000);
    v.throwIfInvalid();
    boolean ok = status.startsWith("succ");
    return promotions.waitingOn("deploy:" + job).compose(ids -> {
      if (ids.isEmpty()) {
        throw ApiException.conflict("deployment " + jobId + " is not waiting for a callback");
      }
      return promotions.find(ids.get(0)).compose(found -> {
        Promotion p = found.orElseThrow();
        JsonArray steps = p.steps().copy();
        JsonObject s = steps.getJsonObject(p.currentStep());
        s.getJsonObject("outputs").put("status", ok ? "succeeded" : "failed");
        s.put("status", ok ? "succeeded" : "failed").put("finishedAt", Instant.now().toString());
        if (ok) {
          return promotions.transition(p, "deploying", steps, p.currentStep() + 1, null, null)
              .compose(moved -> moved.map(m -> promotions.clearCallbackHash(job).compose(x -> step(m)))
                  .orElse(Future.succeededFuture()));
        }
        String error = "deployment failed" + (message == null ? "" : ": " + message);
        s.put("error", error);
        return promotions.transition(p, p.status(), steps, p.currentStep(), null, error)
            .compose(moved -> moved.map(m -> finish(m, "failed", error)).orElse(Future.succeededFuture()));
      });
    });
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
            if (p.waitingOn() != null && p.waitingOn().startsWith("run:")) {
              pipelineRuns.cancel(p.waitingOn().substring(4))
                  .onFailure(e -> LOG.info("pipeline run of cancelled promotion {}: {}", id, e.getMessage()));
            }
            Future<Void> finished = finish(moved.get(), "cancelled", "cancelled");
            if (p.waitingOn() != null && p.waitingOn().startsWith("deploy:")) {
              finished.onSuccess(v -> cancellations.notifyTarget(p.id(), p.currentStep()));
            }
            return finished;
          })
          .compose(v -> get(id));
    });
  }

  /** Ends the promotion and its deployment job, publishes the events and queues the final status reports. */
  private Future<Void> finish(Promotion p, String status, String error) {
    return finish(p, status, error, false);
  }

  /**
   * {@code gatewayError}: the promotion failed because the gateway could not run a step, not
   * because a deploy failed. The promotion, its job, their completion events and final status
   * reports commit together; the event-bus messages (auto-promotion) follow the commit.
   */
  private Future<Void> finish(Promotion p, String status, String error, boolean gatewayError) {
    String jobStatus = jobStatus(status);
    String phase = reportPhase(jobStatus, gatewayError);
    return reports.targets(p.releaseId()).compose(targets -> promotions.finish(p, status, error, jobStatus,
            (conn, done) -> outbox.enqueue(conn, completedEvents(done, status, error, jobStatus))
                .compose(v -> reports.enqueue(conn, p.deploymentJobId(), targets, phase))))
        .onSuccess(done -> done.ifPresent(d -> {
          ended.get(status).increment();
          completedEvents(d, status, error, jobStatus).forEach(e -> eventBus.publish(e.address(), e.data()));
        }))
        .mapEmpty();
  }

  /** The deployment job's status when its promotion ends as {@code status}. Pure. */
  static String jobStatus(String status) {
    return switch (status) {
      case "deployed" -> "succeeded";
      case "cancelled", "rejected" -> "cancelled";
      default -> "failed";
    };
  }

  /** The status-report phase of a job that ended as {@code jobStatus}. Pure. */
  static String reportPhase(String jobStatus, boolean gatewayError) {
    return switch (jobStatus) {
      case "succeeded" -> "success";
      case "cancelled" -> "cancelled";
      default -> gatewayError ? "error" : "failure";
    };
  }

  private static List<EventOutbox.Event> completedEvents(Promotion p, String status, String error, String jobStatus) {
    JsonObject event = ids(p).put("status", status).put("error", error);
    return List.of(new EventOutbox.Event(Events.PROMOTION_COMPLETED, event),
        new EventOutbox.Event(Events.DEPLOYMENT_COMPLETED, event.copy().put("deploymentStatus", jobStatus)));
  }

  private static JsonObject rollbackEvent(Promotion rollback, String rolledBackJobId, UUID rollbackReleaseId) {
    return ids(rollback).put("rolledBackDeploymentJobId", rolledBackJobId)
        .put("rollbackReleaseId", rollbackReleaseId.toString());
  }

  public Future<Promotion> get(String id) {
    return promotions.find(Ids.uuidOr404(id, "promotion")).map(found -> found.orElseThrow(() -> ApiException.notFound("promotion " + id)));
  }

  public Future<List<Promotion>> list(String releaseId) {
    UUID release = null;
    if (releaseId != null) {
      release = Ids.uuidOrNull(releaseId);
      if (release == null) {
        throw ApiException.badRequest("releaseId must be a UUID");
      }
    }
    return promotions.list(release, 200);
  }

  public Future<JsonObject> job(String jobId) {
    return promotions.job(Ids.uuidOr404(jobId, "deployment")).map(found -> found.orElseThrow(() -> ApiException.notFound("deployment " + jobId)));
  }

  public Future<List<JsonObject>> jobs(String environmentId) {
    UUID env = null;
    if (environmentId != null) {
      env = Ids.uuidOrNull(environmentId);
      if (env == null) {
        throw ApiException.badRequest("environmentId must be a UUID");
      }
    }
    return promotions.jobs(env, 200);
  }

  private static JsonObject runOutputs(PipelineRun run) {
    return new JsonObject().put("pipelineRunId", run.vendorRunId()).put("status", run.status())
        .put("webUrl", run.webUrl()).put("gatewayRunId", run.id().toString()).put("notes", run.notes().copy());
  }

  private static JsonObject ids(Promotion p) {
    return new JsonObject().put("promotionId", p.id().toString()).put("releaseId", p.releaseId().toString())
        .put("environmentId", p.targetEnvironmentId().toString())
        .put("deploymentJobId", p.deploymentJobId().toString());
  }

  private static UUID required(Validator v, String field) {
    if (!v.has(field)) {
      v.error(field, "is required", "REQUIRED");
      return null;
    }
    return v.optionalUuid(field);
  }

}
