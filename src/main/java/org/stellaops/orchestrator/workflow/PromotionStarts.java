package org.stellaops.orchestrator.workflow;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stellaops.orchestrator.auth.Principal;
import org.stellaops.orchestrator.platform.ApiException;
import org.stellaops.orchestrator.platform.EventOutbox;
import org.stellaops.orchestrator.platform.Events;
import org.stellaops.orchestrator.platform.InTransaction;
import org.stellaops.orchestrator.platform.Ids;
import org.stellaops.orchestrator.platform.Validator;
import org.stellaops.orchestrator.release.ReleaseService;
import org.stellaops.orchestrator.reporting.StatusReports;

/**
 * Starts promotions: on request, automatically (a new release, or a release deployed upstream)
 * and as rollbacks. A promotion's start commits together with its subscriber events and
 * deployment status reports ({@link EventOutbox}, {@link StatusReports}); {@code advance} then
 * runs its first step.
 */
final class PromotionStarts {

  private static final Logger LOG = LoggerFactory.getLogger(PromotionStarts.class);

  private final PromotionRepository promotions;
  private final EnvironmentService environments;
  private final ReleaseService releases;
  private final StatusReports reports;
  private final EventBus eventBus;
  private final EventOutbox outbox;
  private final Consumer<UUID> advance;

  PromotionStarts(PromotionRepository promotions, EnvironmentService environments, ReleaseService releases,
      StatusReports reports, EventBus eventBus, EventOutbox outbox, Consumer<UUID> advance) {
    this.promotions = promotions;
    this.environments = environments;
    this.releases = releases;
    this.reports = reports;
    this.eventBus = eventBus;
    this.outbox = outbox;
    this.advance = advance;
  }

  /** {@code POST /promotions {releaseId, targetEnvironmentId, reason?}}: snapshot the workflow and start it. */
  Future<Promotion> start(JsonObject body, Principal caller) {
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
      Instant start = OffsetDateTime.parse(window.getString("start")).toInstant();
      Instant end = OffsetDateTime.parse(window.getString("end")).toInstant();
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
        new EventOutbox.Event(Events.PROMOTION_STARTED, p.eventIds()),
        new EventOutbox.Event(Events.DEPLOYMENT_STARTED, p.eventIds())));
    return reports.targets(releaseId).compose(targets -> promotions.insert(releaseId, env.id(), steps,
            env.requiredApprovals(), actor, actorId, reason, trigger, started
                .andThen((conn, p) -> reports.enqueue(conn, p.deploymentJobId(), targets, "start"))
                .andThen(also)))
        .onSuccess(p -> {
          eventBus.publish(Events.PROMOTION_STARTED, p.eventIds());
          eventBus.publish(Events.DEPLOYMENT_STARTED, p.eventIds());
          advance.accept(p.id());
        });
  }

  /**
   * Automatic promotion: a new release goes to every auto-promoting
   * environment without {@code autoPromoteFrom}; a release deployed to an environment goes on
   * to the auto-promoting environments that name it. Each starts once per release and
   * environment, however many replicas receive the event.
   */
  Future<Void> autoPromote(UUID releaseId, UUID deployedTo) {
    return environments.list().compose(all -> Future.all(all.stream()
        .filter(env -> env.autoPromote() && Objects.equals(env.autoPromoteFrom(), deployedTo))
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
  Future<Void> onReleaseCreated(String releaseId) {
    UUID id = Ids.uuidOrNull(releaseId);
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
  Future<Void> onPromotionCompleted(String promotionId) {
    UUID id = Ids.uuidOrNull(promotionId);
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
    return PromotionStatus.DEPLOYED.wire().equals(p.status()) && !"rollback".equals(p.trigger());
  }

  /**
   * {@code POST /deployments/{jobId}/rollback}: redeploys the digests of the environment's
   * previous successful release, running only the environment's deploy steps, and marks the
   * rolled-back job.
   */
  Future<Promotion> rollback(String jobId, Principal caller) {
    UUID job = Ids.uuidOr404(jobId, "deployment");
    return promotions.job(job).map(found -> found.orElseThrow(() -> ApiException.notFound("deployment " + jobId)))
        .compose(current -> {
          UUID environmentId = UUID.fromString(current.getString("environmentId"));
          UUID releaseId = UUID.fromString(current.getString("releaseId"));
          OffsetDateTime createdAt = OffsetDateTime.parse(current.getString("createdAt"));
          return promotions.lastGoodReleaseBefore(environmentId, createdAt, releaseId)
              .compose(previous -> rollBackTo(previous.orElseThrow(() -> ApiException.unprocessable(
                  "NOTHING_TO_ROLL_BACK_TO", "no earlier successful release in this environment to roll back to",
                  (JsonObject) null)), environmentId, job, jobId, caller));
        });
  }

  private Future<Promotion> rollBackTo(UUID previous, UUID environmentId, UUID job, String jobId, Principal caller) {
    return environments.get(environmentId.toString()).compose(env -> {
      JsonArray deploySteps = new JsonArray();
      env.workflow().forEach(s -> {
        if (StepType.DEPLOY.wire().equals(((JsonObject) s).getString("type"))) {
          deploySteps.add(s);
        }
      });
      // The rolled-back job is marked, and the rollback announced, with the rollback's creation.
      InTransaction<Promotion> rolledBack = (conn, p) -> promotions.markRolledBack(conn, job, p.deploymentJobId())
          .compose(v -> outbox.enqueue(conn, List.of(new EventOutbox.Event(Events.DEPLOYMENT_ROLLBACK_INITIATED,
              rollbackEvent(p, jobId, previous)))));
      return begin(previous, env, snapshot(deploySteps), caller.actor(), FourEyes.principalId(caller),
          "rollback of " + jobId, "rollback", rolledBack);
    }).onSuccess(p -> eventBus.publish(Events.DEPLOYMENT_ROLLBACK_INITIATED, rollbackEvent(p, jobId, previous)));
  }

  /** The workflow as the promotion will run it: every step pending, nothing produced yet. */
  static JsonArray snapshot(JsonArray workflow) {
    JsonArray steps = new JsonArray();
    workflow.forEach(s -> steps.add(((JsonObject) s).copy().put("status", StepStatus.PENDING.wire())
        .put("outputs", new JsonObject())));
    return steps;
  }

  private static JsonObject rollbackEvent(Promotion rollback, String rolledBackJobId, UUID rollbackReleaseId) {
    return rollback.eventIds().put("rolledBackDeploymentJobId", rolledBackJobId)
        .put("rollbackReleaseId", rollbackReleaseId.toString());
  }

  private static UUID required(Validator v, String field) {
    if (!v.has(field)) {
      v.error(field, "is required", "REQUIRED");
      return null;
    }
    return v.optionalUuid(field);
  }
}
