package org.stellaops.orchestrator.ci;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.stellaops.orchestrator.auth.Principal;
import org.stellaops.orchestrator.egress.EgressDeniedException;
import org.stellaops.orchestrator.integration.IntegrationService;
import org.stellaops.orchestrator.integration.ResolvedIntegration;
import org.stellaops.orchestrator.platform.ApiException;
import org.stellaops.orchestrator.platform.Ids;
import org.stellaops.orchestrator.platform.Cursor;
import org.stellaops.orchestrator.platform.EventOutbox;
import org.stellaops.orchestrator.platform.Events;
import org.stellaops.orchestrator.platform.Page;
import org.stellaops.orchestrator.platform.ValidationError;
import org.stellaops.orchestrator.platform.Validator;

/**
 * The standalone form of the trigger-ci and wait-ci workflow steps:
 * trigger a pipeline and keep a wait for it, or watch a run CI started itself. Waiting is done
 * by the poller; a CI event naming a run only makes the poller ask the CI system now
 * ({@link #requestPoll}), so a wait ends on the CI system's answer, never on a sender's word.
 */
public final class PipelineRunService {

  static final int DEFAULT_TIMEOUT_SECONDS = 3600;
  static final int MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;
  static final int DEFAULT_POLL_INTERVAL_SECONDS = 10;
  /**
   * Local event-bus address of this process's poller: body {@code {runId, eventAt}} asks it to
   * poll that run now ({@code eventAt}: when the CI event that asked was received).
   */
  public static final String POLL_NOW = "stella.ci.poll-now";
  /** Most waits one event naming no integration asks about (a build number may repeat across CI systems). */
  static final int MAX_RUNS_PER_EVENT = 20;
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final PipelineRunRepository runs;
  private final IntegrationService integrations;
  private final Connectors connectors;
  private final EventBus eventBus;
  private final MeterRegistry registry;
  private final EventOutbox outbox;

  public PipelineRunService(PipelineRunRepository runs, IntegrationService integrations, Connectors connectors,
      EventBus eventBus, MeterRegistry registry, EventOutbox outbox) {
    this.runs = runs;
    this.integrations = integrations;
    this.connectors = connectors;
    this.eventBus = eventBus;
    this.registry = registry;
    this.outbox = outbox;
  }

  /**
   * Triggers a pipeline; its context fills the STELLA_* variables. The variables the caller gave
   * must reach the pipeline or the trigger fails; the STELLA_* ones are sent where the pipeline takes them, and
   * the run's {@code notes} say where they were not. Without a {@code ref} the repository's default branch is
   * asked for; a trigger with no ref at all is refused here (400) before anything is sent.
   */
  public Future<PipelineRun> trigger(TriggerRun command, Principal caller) {
    TriggerRun.Target target = command.target();
    JsonObject variables = command.inputs().variables();
    JsonObject context = command.context().variables();
    JsonObject all = context.copy().mergeIn(variables);
    String correlationId = "stella-" + UUID.randomUUID();
    return ciIntegration(target.integrationId()).compose(integration -> {
      CiConnector connector = connectors.forIntegration(integration);
      return resolveRef(integration, connector, target.pipelineId(), target.ref()).compose(resolved -> connector
          .trigger(new CiConnector.Trigger(target.pipelineId(), resolved, stringMap(variables), stringMap(context),
              command.inputs().pipelineInputs(), correlationId))
          .recover(e -> Future.failedFuture(vendorError(integration, "trigger", e)))
          .compose(run -> runs.insert(new NewRun(
              new NewRun.Pipeline(integration.id(), integration.type().wire(), target.pipelineId()),
              new NewRun.Request(resolved, all, correlationId, caller.actor()), run,
              new NewRun.Schedule(command.waitForCompletion(), "triggered", pollInterval(integration),
                  command.timeoutSeconds(), pollInterval(integration)),
              command.context()))));
    });
  }

  /**
   * The ref to trigger: the given one, else the repository's default branch as the CI system reports it. A CI
   * system that needs a ref and has none to offer is a 400 naming {@code ref}, never a vendor refusal.
   */
  private Future<String> resolveRef(ResolvedIntegration integration, CiConnector connector, String pipelineId,
      String ref) {
    if (ref != null || !connector.needsRef()) {
      return Future.succeededFuture(ref);
    }
    return connector.defaultRef(pipelineId)
        .recover(e -> Future.failedFuture(vendorError(integration, "reading the default branch", e)))
        .map(found -> found.orElseThrow(() -> ApiException.validation(List.of(new ValidationError("ref",
            "is required: none was given, the release has no sourceRef tag or branch, and " + pipelineId + " on "
                + integration.type().wire() + " integration '" + integration.name() + "' has no default branch",
            "REQUIRED")))));
  }

  /**
   * GitLab's pipeline {@code inputs} (https://docs.gitlab.com/ci/inputs/): at most 50, each a string, number,
   * boolean or array, as a {@code spec:inputs} entry takes.
   */
  public static JsonObject pipelineInputs(Validator v) {
    JsonObject inputs = v.optionalObject("pipelineInputs");
    if (inputs == null) {
      return null;
    }
    if (inputs.size() > 50) {
      v.error("pipelineInputs", "must have at most 50 entries", "TOO_MANY");
    }
    inputs.forEach(entry -> {
      Object value = entry.getValue();
      if (!(value instanceof String || value instanceof Number || value instanceof Boolean
          || value instanceof JsonArray) || entry.getKey().length() > 255
          || String.valueOf(value).length() > 10_000) {
        v.error("pipelineInputs." + entry.getKey(), "must be a string, number, boolean or array (at most 10000"
            + " characters)", "INVALID_TYPE");
      }
    });
    return inputs;
  }

  /** Watches a run CI started itself; a run already watched answers its active wait. */
  public Future<PipelineRun> watch(WatchRun command, Principal caller) {
    return ciIntegration(command.integrationId()).compose(integration -> runs
        .findActiveByVendorId(integration.id(), command.runId())
        .compose(existing -> existing.isPresent() ? Future.succeededFuture(existing.get())
            : runs.insert(new NewRun(
                new NewRun.Pipeline(integration.id(), integration.type().wire(), command.pipelineId()),
                new NewRun.Request(null, new JsonObject(), "stella-" + UUID.randomUUID(), caller.actor()),
                new VendorRun(command.runId(), RunStatus.PENDING, null, null),
                new NewRun.Schedule(true, "watched", pollInterval(integration), command.timeoutSeconds(), 0),
                TriggerRun.Context.NONE))));
  }

  public Future<PipelineRun> get(String id) {
    return runs.find(parseId(id)).map(found -> found.orElseThrow(() -> notFound(id)));
  }

  public Future<Page<PipelineRun>> list(String status, String integrationId, String cursor, String limit) {
    Validator v = new Validator(new JsonObject());
    if (status != null && !RunStatus.ALL.contains(status)) {
      v.error("status", "must be one of " + RunStatus.ALL, "INVALID_VALUE");
    }
    UUID integration = null;
    if (integrationId != null) {
      integration = Ids.uuidOrNull(integrationId);
      if (integration == null) {
        v.error("integrationId", "must be a UUID", "INVALID_FORMAT");
      }
    }
    v.throwIfInvalid();
    return runs.list(status, integration, cursor == null ? null : Cursor.decode(PipelineRunRepository.CURSOR_LIST, cursor), Cursor.limit(limit));
  }

  /** Asks the vendor to stop the run, then ends the wait as cancelled. */
  public Future<PipelineRun> cancel(String id) {
    return get(id).compose(run -> {
      if (!run.active()) {
        throw ApiException.conflict("pipeline run " + id + " already ended: " + run.status());
      }
      return ciIntegration(run.integrationId()).compose(integration -> connectors.forIntegration(integration)
          .cancel(run.runRef())
          .recover(e -> e instanceof CiException.NotFound ? Future.succeededFuture()
              : Future.failedFuture(vendorError(integration, "cancel", e))))
          .compose(v -> complete(run.id(), RunStatus.CANCELLED, "cancelled", null, null, "api", null))
          .compose(ended -> ended.isPresent() ? Future.succeededFuture(ended.get()) : get(id));
    });
  }

  /**
   * Ends a run if it is still active and publishes {@code ci.run.completed} — exactly once,
   * whichever of poll, cancellation or deadline calls first. The subscribers' copy of the event
   * commits with the run's end; the event-bus message (waking promotions) follows the commit.
   */
  public Future<Optional<PipelineRun>> complete(UUID id, String status, String vendorStatus, String webUrl,
      String error, String completedBy, String vendorRunId) {
    return runs.complete(id, status, vendorStatus, webUrl, error, completedBy, vendorRunId,
            (conn, run) -> queueCompleted(conn, List.of(run)))
        .onSuccess(ended -> ended.ifPresent(this::publishCompleted));
  }

  /** {@link PipelineRunRepository#completeAll}, with the ended runs' events; answers per item as it does. */
  public Future<List<Optional<PipelineRun>>> completeAll(List<PipelineRunRepository.PolledEnd> ends) {
    return runs.completeAll(ends, this::queueCompleted);
  }

  /** Ends up to {@code limit} waits whose deadline passed, as timed_out, with their events. */
  public Future<List<PipelineRun>> expire(int limit) {
    return runs.expire(limit, this::queueCompleted).onSuccess(expired -> expired.forEach(this::publishCompleted));
  }

  /** {@code ci.run.completed} of each run, for subscribers, on the connection of the transaction that ended them. */
  private Future<Void> queueCompleted(SqlConnection conn, List<PipelineRun> ended) {
    return outbox.enqueue(conn, ended.stream().map(run -> new EventOutbox.Event(Events.CI_RUN_COMPLETED,
        completed(run))).toList());
  }

  /**
   * A CI event says the run {@code vendorRunId} finished. It is a claim, not a fact: whoever holds
   * an integration's webhook secret or a {@code ci-event:create} token can send any status. So it
   * ends nothing; it asks the poller to poll each active wait for that run now, and the CI
   * system's answer, committed like any poll's, decides. Every wait belongs to a CI integration
   * (trigger and watch accept nothing else), so there is always a CI system to ask; a wait whose
   * integration is gone is failed by that poll, never succeeded. {@code integrationId} null (an
   * event naming no integration) asks about the run id on every CI integration, at most
   * {@link #MAX_RUNS_PER_EVENT} waits. Answers the waits asked about. The request is not durable:
   * if it is lost, the wait's next scheduled poll still comes.
   */
  public Future<List<UUID>> requestPoll(UUID integrationId, String vendorRunId, Instant eventAt) {
    return runs.activeIdsByVendorId(integrationId, vendorRunId, MAX_RUNS_PER_EVENT).onSuccess(ids -> ids.forEach(
        id -> eventBus.send(POLL_NOW, new JsonObject().put("runId", id.toString()).put("eventAt", eventAt.toString()),
            LOCAL)));
  }

  /** After the commit that ended the run: counts it and wakes what waits on it, on every replica. */
  public void publishCompleted(PipelineRun run) {
    Counter.builder("stella.ci.runs.completed").tag("status", run.status()).tag("by", String.valueOf(run.completedBy()))
        .description("Pipeline-run waits ended, by final status and by what ended them")
        .register(registry).increment();
    eventBus.publish(Events.CI_RUN_COMPLETED, completed(run));
  }

  private static JsonObject completed(PipelineRun run) {
    return new JsonObject()
        .put("pipelineRunId", run.id().toString())
        .put("vendorRunId", run.vendorRunId())
        .put("integrationId", run.integrationId().toString())
        .put("status", run.status())
        .put("vendorStatus", run.vendorStatus())
        .put("webUrl", run.webUrl())
        .put("completedBy", run.completedBy());
  }

  private Future<ResolvedIntegration> ciIntegration(UUID id) {
    return integrations.resolve(id).map(found -> found.filter(i -> i.type().isCi())
        .orElseThrow(() -> ApiException.unprocessable("UNKNOWN_INTEGRATION", "no CI integration " + id,
            (JsonObject) null)));
  }

  /** The integration's {@code config.pollIntervalSeconds}: default 10, at least 1. */
  static int pollInterval(ResolvedIntegration integration) {
    Object configured = integration.config().getValue("pollIntervalSeconds");
    int seconds = configured instanceof Number n ? n.intValue() : DEFAULT_POLL_INTERVAL_SECONDS;
    return Math.max(1, seconds);
  }

  /**
   * What a caller hears when the CI system refused: 422 naming the integration for credentials,
   * unknown pipelines and rejected requests, 422 EGRESS_DENIED when the egress policy kept the
   * request from being sent, 429 when it rate-limits us, 502 when it is down.
   */
  static ApiException vendorError(ResolvedIntegration integration, String action, Throwable e) {
    String what = action + " on " + integration.type().wire() + " integration '" + integration.name() + "' failed: "
        + e.getMessage();
    JsonObject details = new JsonObject().put("integrationId", integration.id().toString());
    if (e instanceof CiException.RateLimited limited) {
      long wait = Math.max(1, limited.resumeAt().getEpochSecond() - java.time.Instant.now().getEpochSecond());
      return ApiException.tooManyRequests(what, wait);
    }
    if (e instanceof CiException.Unauthorized) {
      return ApiException.unprocessable("CI_CREDENTIALS_REJECTED", what, details);
    }
    if (e instanceof CiException.NotFound) {
      return ApiException.unprocessable("CI_PIPELINE_NOT_FOUND", what, details);
    }
    if (EgressDeniedException.in(e)) {
      return ApiException.unprocessable(EgressDeniedException.CODE, what, details);
    }
    if (e instanceof CiException.Rejected) {
      return ApiException.unprocessable("CI_REQUEST_REJECTED", what, details);
    }
    return ApiException.of(502, "CI_UNAVAILABLE", what);
  }

  private static Map<String, String> stringMap(JsonObject json) {
    Map<String, String> map = new java.util.LinkedHashMap<>();
    json.forEach(e -> map.put(e.getKey(), String.valueOf(e.getValue())));
    return map;
  }

  static UUID parseId(String id) {
    return Ids.uuidOr404(id, "pipeline run");
  }

  private static ApiException notFound(String id) {
    return ApiException.notFound("pipeline run " + id);
  }
}
