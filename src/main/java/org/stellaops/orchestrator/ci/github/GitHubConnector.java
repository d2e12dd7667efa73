package org.stellaops.orchestrator.ci.github;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.stellaops.orchestrator.ci.CiConnector;
import org.stellaops.orchestrator.ci.CiException;
import org.stellaops.orchestrator.ci.HttpErrors;
import org.stellaops.orchestrator.ci.PollResult;
import org.stellaops.orchestrator.ci.RunStatus;
import org.stellaops.orchestrator.ci.VendorRun;
import org.stellaops.orchestrator.integration.ResolvedIntegration;

/**
 * GitHub Actions workflow runs through the REST API (api-facts §2), pinned to API version 2022-11-28.
 *
 * <p>Reads from a {@code ci.github} integration:
 * <ul>
 *   <li>{@code config.endpoint}: the API base; default {@code https://api.github.com} (GHES:
 *       {@code https://HOST/api/v3}).</li>
 *   <li>{@code config.requestTimeoutSeconds}: per request; default 10.</li>
 *   <li>{@code config.correlationInput} (default false): the workflow declares a {@code correlation_id} input and
 *       puts it in its {@code run-name}; the dispatch then sends it, and a run that must be discovered (see below)
 *       is the one whose {@code display_title} contains it. Off by default because GitHub rejects undeclared
 *       inputs with 422.</li>
 *   <li>{@code credentials.token}: sent as {@code Authorization: Bearer}; needs {@code actions:write}.</li>
 * </ul>
 *
 * <p>{@code pipelineId} is {@code owner/repo/workflow}, the workflow being its file name ({@code release.yml}) or
 * numeric id. Variables become workflow inputs (at most 10, string values; null values are left out).
 *
 * <p>Run ids: GitHub (since 2026-02-19) returns the run id from the dispatch; older servers answer 204 and the
 * run id is null until a poll discovers the run in the workflow's recent {@code workflow_dispatch} runs on the
 * ref. <b>Limitation:</b> without {@code correlationInput}, discovery takes the oldest run created since two minutes
 * before the trigger, so two dispatches of the same workflow and ref close together may be matched to each
 * other's runs.
 */
public final class GitHubConnector implements CiConnector {

  static final String DEFAULT_ENDPOINT = "https://api.github.com";
  static final String API_VERSION = "2022-11-28";
  static final int MAX_INPUTS = 10;
  /** How far before our trigger time a discovered run may be created: GitHub's and our clocks disagree. */
  static final long DISCOVERY_SLACK_SECONDS = 120;
  static final String DISPATCHED = "dispatched";

  private final WebClient http;
  private final Clock clock;
  private final String api;
  private final long timeoutMs;
  private final String token;
  private final boolean correlationInput;
  private final String label;

  public GitHubConnector(WebClient http, ResolvedIntegration integration, Clock clock) {
    this.http = http;
    this.clock = clock;
    this.api = integration.config().getString("endpoint", DEFAULT_ENDPOINT).replaceAll("/+$", "");
    this.timeoutMs = integration.config().getInteger("requestTimeoutSeconds", 10) * 1000L;
    this.token = integration.credential("token");
    this.correlationInput = integration.config().getBoolean("correlationInput", false);
    this.label = "GitHub (integration '" + integration.name() + "')";
  }

  /**
   * {@code POST …/dispatches} asking for the run details; a server too old to know the field rejects it, and
   * gets the same dispatch once more without it.
   */
  @Override
  public Future<VendorRun> trigger(String pipelineId, String ref, Map<String, String> variables, String correlationId) {
    String what = "workflow " + pipelineId;
    return Future.succeededFuture(pipelineId)
        .map(id -> new Dispatch(workflow(id), ref, checkedInputs(variables, correlationId)))
        .compose(dispatch -> dispatch(dispatch, true)
            .compose(response -> Dispatch.refusesRunDetails(response.statusCode(), response.bodyAsString())
                ? dispatch(dispatch, false)
                : Future.succeededFuture(response)))
        .map(response -> toVendorRun(response, what))
        .recover(e -> Future.failedFuture(HttpErrors.asCiException(label, "dispatch of " + what, e)));
  }

  /** By run id when known (conditional on the ETag); otherwise try to discover the dispatched run first. */
  @Override
  public Future<PollResult> poll(RunRef run, String etag) {
    return run.runId() == null ? discover(run) : pollRun(run, etag);
  }

  /** {@code POST …/runs/{id}/cancel} → 202; 409 means it already completed, which is what we wanted. */
  @Override
  public Future<Void> cancel(RunRef run) {
    Future<String> runId = run.runId() != null
        ? Future.succeededFuture(run.runId())
        : discover(run).map(PollResult::runId);
    String what = "cancel of run " + (run.runId() != null ? run.runId() : "(not yet discovered)") + " of workflow "
        + run.pipelineId();
    return runId
        .compose(id -> {
          if (id == null) {
            // The run may still appear; Transient lets the caller retry the cancel later.
            return Future.failedFuture(new CiException.Transient(label + ": the dispatched run of workflow "
                + run.pipelineId() + " has not appeared yet, so it cannot be cancelled yet", null));
          }
          WorkflowPath path = workflow(run.pipelineId());
          return request(HttpMethod.POST, path.runPath(id) + "/cancel").send();
        })
        .map(response -> response.statusCode() == 409
            ? response
            : HttpErrors.requireSuccess(label, what, response, clock))
        .<Void>mapEmpty()
        .recover(e -> Future.failedFuture(HttpErrors.asCiException(label, what, e)));
  }

  /** {@code GET /rate_limit}: proves the token and costs nothing against the limit. */
  @Override
  public Future<String> check() {
    String what = "the rate limit";
    return request(HttpMethod.GET, "/rate_limit").send()
        .map(response -> HttpErrors.requireSuccess(label, what, response, clock))
        .map(response -> HttpErrors.readJson(label, what, response, GitHubConnector::coreRemaining))
        .map(remaining -> "token accepted; " + remaining + " requests left")
        .recover(e -> Future.failedFuture(HttpErrors.asCiException(label, what, e)));
  }

  /** Refused before sending: GitHub would answer 422 for more than {@value #MAX_INPUTS} inputs anyway. */
  private Map<String, String> checkedInputs(Map<String, String> variables, String correlationId) {
    Map<String, String> inputs = Dispatch.inputs(variables, correlationInput, correlationId);
    if (inputs.size() > MAX_INPUTS) {
      throw new CiException.Rejected(label + ": a workflow_dispatch takes at most " + MAX_INPUTS + " inputs, this one"
          + " would have " + inputs.size() + " (" + String.join(", ", inputs.keySet()) + ")");
    }
    return inputs;
  }

  private Future<HttpResponse<Buffer>> dispatch(Dispatch dispatch, boolean returnRunDetails) {
    return request(HttpMethod.POST, dispatch.path().workflowPath() + "/dispatches")
        .sendJsonObject(dispatch.body(returnRunDetails));
  }

  /** {@code GET /repos/{o}/{r}/actions/runs/{id}}; a 304 does not count against the rate limit. */
  private Future<PollResult> pollRun(RunRef run, String etag) {
    String what = "run " + run.runId() + " of workflow " + run.pipelineId();
    return Future.succeededFuture(run.pipelineId())
        .map(this::workflow)
        .compose(path -> {
          HttpRequest<Buffer> request = request(HttpMethod.GET, path.runPath(run.runId()));
          if (etag != null) {
            request.putHeader("If-None-Match", etag);
          }
          return request.send();
        })
        .map(response -> {
          if (response.statusCode() == 304) {
            return PollResult.unchanged();
          }
          HttpErrors.requireSuccess(label, what, response, clock);
          return HttpErrors.readJson(label, what, response, json -> toPollResult(json, response.getHeader("ETag")));
        })
        .recover(e -> Future.failedFuture(HttpErrors.asCiException(label, what, e)));
  }

  /**
   * Lists the workflow's {@code workflow_dispatch} runs on the ref created since shortly before the trigger and
   * picks ours; until it shows up the run stays pending with no id.
   */
  private Future<PollResult> discover(RunRef run) {
    String what = "the dispatched run of workflow " + run.pipelineId();
    Instant since = Discovery.since(run.triggeredAt() != null ? run.triggeredAt() : clock.instant());
    String correlation = correlationInput ? run.correlationId() : null;
    return Future.succeededFuture(run.pipelineId())
        .map(this::workflow)
        .compose(path -> {
          HttpRequest<Buffer> request = request(HttpMethod.GET, path.workflowPath() + "/runs")
              .addQueryParam("event", "workflow_dispatch");
          if (run.ref() != null) {
            request.addQueryParam("branch", Discovery.branch(run.ref()));
          }
          return request
              .addQueryParam("created", ">=" + since.truncatedTo(ChronoUnit.SECONDS))
              .addQueryParam("per_page", "50")
              .send();
        })
        .map(response -> HttpErrors.requireSuccess(label, what, response, clock))
        .map(response -> HttpErrors.readJson(label, what, response,
            json -> Discovery.pick(json.getJsonArray("workflow_runs"), correlation, since)
                .map(found -> toPollResult(found, null))
                .orElseGet(() -> PollResult.of(null, RunStatus.PENDING, DISPATCHED, null, null))))
        .recover(e -> Future.failedFuture(HttpErrors.asCiException(label, what, e)));
  }

  /** A malformed pipelineId is the caller's configuration error: retrying will not help. */
  private WorkflowPath workflow(String pipelineId) {
    try {
      return WorkflowPath.parse(pipelineId);
    } catch (IllegalArgumentException e) {
      throw new CiException.Rejected(label + ": " + e.getMessage());
    }
  }

  private HttpRequest<Buffer> request(HttpMethod method, String path) {
    HttpRequest<Buffer> request = http.requestAbs(method, api + path)
        .timeout(timeoutMs)
        .putHeader("Accept", "application/vnd.github+json")
        .putHeader("X-GitHub-Api-Version", API_VERSION);
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    return request;
  }

  /**
   * 200 carries the run; 204 (no run details) leaves the id to discovery. So does a 2xx whose body we cannot
   * read: the workflow was dispatched, and failing would invite the caller to dispatch it a second time.
   * A 422 may mean "not dispatchable".
   */
  private VendorRun toVendorRun(HttpResponse<Buffer> response, String what) {
    if (response.statusCode() == 422 && Dispatch.lacksDispatchTrigger(response.bodyAsString())) {
      throw new CiException.NotFound(label + ": " + what + " has no workflow_dispatch trigger ("
          + HttpErrors.vendorMessage(response.bodyAsString()) + ")");
    }
    HttpErrors.requireSuccess(label, what, response, clock);
    return Dispatch.runDetails(response.bodyAsString())
        .orElseGet(() -> new VendorRun(null, RunStatus.PENDING, DISPATCHED, null));
  }

  /** A workflow run object; vendorStatus is the conclusion once completed, the status before. */
  static PollResult toPollResult(JsonObject run, String etag) {
    String status = HttpErrors.text(run, "status");
    String conclusion = run.getString("conclusion");
    String vendorStatus = "completed".equals(status) && conclusion != null ? conclusion : status;
    PollResult result = PollResult.of(String.valueOf(HttpErrors.number(run, "id")),
        RunStatus.github(status, conclusion), vendorStatus, run.getString("html_url"), etag);
    // A completed run is last updated when it completes.
    return "completed".equals(status) ? result.finishedAt(instant(run.getString("updated_at"))) : result;
  }

  private static java.time.Instant instant(String iso) {
    try {
      return iso == null ? null : java.time.Instant.parse(iso);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  /** {@code resources.core.remaining}, or the deprecated top-level {@code rate.remaining}. */
  static long coreRemaining(JsonObject rateLimit) {
    JsonObject resources = rateLimit.getJsonObject("resources");
    JsonObject core = resources != null ? resources.getJsonObject("core") : rateLimit.getJsonObject("rate");
    if (core == null) {
      throw new IllegalStateException("no resources.core");
    }
    return HttpErrors.number(core, "remaining");
  }

  /** What one dispatch sends; pure, so the body and the input rules can be tested alone. */
  record Dispatch(WorkflowPath path, String ref, Map<String, String> inputs) {

    JsonObject body(boolean returnRunDetails) {
      JsonObject body = new JsonObject()
          .put("ref", ref)
          .put("inputs", new JsonObject(new java.util.LinkedHashMap<String, Object>(inputs)));
      if (returnRunDetails) {
        body.put("return_run_details", true);
      }
      return body;
    }

    /** The variables, plus {@code correlation_id} when the workflow declares it. */
    static Map<String, String> inputs(Map<String, String> variables, boolean correlationInput, String correlationId) {
      Map<String, String> inputs = new java.util.LinkedHashMap<>();
      if (variables != null) {
        variables.forEach((key, value) -> {
          if (value != null) {
            inputs.put(key, value);
          }
        });
      }
      if (correlationInput && correlationId != null) {
        inputs.put("correlation_id", correlationId);
      }
      return inputs;
    }

    /** {@code {"workflow_run_id", "run_url", "html_url"}} of a 200; empty for a 204 or a body without them. */
    static Optional<VendorRun> runDetails(String body) {
      if (body == null || body.isBlank()) {
        return Optional.empty();
      }
      try {
        JsonObject json = new JsonObject(body);
        Long runId = json.getLong("workflow_run_id");
        String htmlUrl = json.getString("html_url");
        return runId == null
            ? Optional.empty()
            : Optional.of(new VendorRun(String.valueOf(runId), RunStatus.PENDING, DISPATCHED, htmlUrl));
      } catch (DecodeException | ClassCastException e) {
        return Optional.empty();
      }
    }

    /** GHES 3.20 and older answer 400 or 422 naming the field they do not know. */
    static boolean refusesRunDetails(int status, String body) {
      return (status == 400 || status == 422) && body != null && body.contains("return_run_details");
    }

    /** GitHub's 422 for a workflow without the trigger: "Workflow does not have 'workflow_dispatch' trigger". */
    static boolean lacksDispatchTrigger(String body) {
      return body != null && body.toLowerCase(Locale.ROOT).contains("workflow_dispatch");
    }
  }
}
