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
import java.time.Duration;
import org.stellaops.orchestrator.ci.BoundedCache;
import org.stellaops.orchestrator.ci.CiConnector;
import org.stellaops.orchestrator.ci.CiException;
import org.stellaops.orchestrator.ci.HttpErrors;
import org.stellaops.orchestrator.ci.PollResult;
import org.stellaops.orchestrator.ci.RunStatus;
import org.stellaops.orchestrator.ci.VendorRun;
import org.stellaops.orchestrator.integration.ResolvedIntegration;

/**
 * GitHub Actions workflow runs through the REST API, pinned to API version 2022-11-28.
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
 *   <li>{@code config.maxInputs}: most inputs one dispatch may carry; default 25 (older GitHub Enterprise Server:
 *       set 10).</li>
 *   <li>{@code credentials.token}: sent as {@code Authorization: Bearer}; needs {@code actions:write} to dispatch
 *       and {@code contents:read} to read the workflow file's inputs and the default branch.</li>
 * </ul>
 *
 * <p>{@code pipelineId} is {@code owner/repo/workflow}, the workflow being its file name ({@code release.yml}) or
 * numeric id. Variables become workflow inputs (string values; null values are left out); the workflow must
 * declare each one. The {@code STELLA_*} context is sent only where the workflow declares it.
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
  /**
   * GitHub's cap on a dispatch's inputs (https://docs.github.com/en/rest/actions/workflows#create-a-workflow-dispatch-event);
   * older GitHub Enterprise Server versions take 10, set with {@code config.maxInputs}.
   */
  static final int DEFAULT_MAX_INPUTS = 25;
  /** How far before our trigger time a discovered run may be created: GitHub's and our clocks disagree. */
  static final long DISCOVERY_SLACK_SECONDS = 120;
  static final String DISPATCHED = "dispatched";

  private final WebClient http;
  private final Clock clock;
  private final String api;
  private final long timeoutMs;
  private final String token;
  private final boolean correlationInput;
  private final int maxInputs;
  private final String label;
  private final BoundedCache<String, WorkflowInputs> inputsBySha;

  public GitHubConnector(WebClient http, ResolvedIntegration integration, Clock clock) {
    this(http, integration, clock, new BoundedCache<>(64, Duration.ofHours(24), clock));
  }

  public GitHubConnector(WebClient http, ResolvedIntegration integration, Clock clock,
      BoundedCache<String, WorkflowInputs> inputsBySha) {
    this.http = http;
    this.inputsBySha = inputsBySha;
    this.clock = clock;
    this.api = integration.config().getString("endpoint", DEFAULT_ENDPOINT).replaceAll("/+$", "");
    this.timeoutMs = integration.config().getInteger("requestTimeoutSeconds", 10) * 1000L;
    this.token = integration.credential("token");
    this.correlationInput = integration.config().getBoolean("correlationInput", false);
    this.maxInputs = integration.config().getInteger("maxInputs", DEFAULT_MAX_INPUTS);
    this.label = "GitHub (integration '" + integration.name() + "')";
  }

  /**
   * Reads which inputs the workflow declares, then {@code POST …/dispatches} asking for the run details; a server
   * too old to know the field rejects it, and gets the same dispatch once more without it.
   */
  @Override
  public Future<VendorRun> trigger(Trigger trigger) {
    String what = "workflow " + trigger.pipelineId();
    if (trigger.pipelineInputs() != null) {
      return Future.failedFuture(new CiException.Rejected(label + ": pipelineInputs are GitLab pipeline inputs;"
          + " a GitHub workflow's inputs are the variables"));
    }
    return Future.succeededFuture(trigger.pipelineId())
        .map(this::workflow)
        .compose(path -> declaredInputs(path, trigger.ref()).compose(declared -> {
          Dispatch.Plan plan = Dispatch.plan(label, trigger.pipelineId(), declared, trigger.variables(),
              trigger.context(), correlationInput ? trigger.correlationId() : null, maxInputs);
          Dispatch dispatch = new Dispatch(path, trigger.ref(), plan.inputs());
          return dispatch(dispatch, true)
              .compose(response -> Dispatch.refusesRunDetails(response.statusCode(), response.bodyAsString())
                  ? dispatch(dispatch, false)
                  : Future.succeededFuture(response))
              .map(response -> toVendorRun(response, what).withNotes(plan.notes()));
        }))
        .recover(e -> Future.failedFuture(HttpErrors.asCiException(label, "dispatch of " + what, e)));
  }

  /** {@code GET /repos/{o}/{r}}: its {@code default_branch}. */
  @Override
  public Future<Optional<String>> defaultRef(String pipelineId) {
    String what = "the repository of workflow " + pipelineId;
    return Future.succeededFuture(pipelineId)
        .map(this::workflow)
        .compose(path -> request(HttpMethod.GET, path.repoPath()).send())
        .map(response -> HttpErrors.requireSuccess(label, what, response, clock))
        .map(response -> HttpErrors.readJson(label, what, response,
            json -> Optional.ofNullable(json.getString("default_branch")).filter(b -> !b.isBlank())))
        .recover(e -> Future.failedFuture(HttpErrors.asCiException(label, what, e)));
  }

  /**
   * The workflow file's {@code on.workflow_dispatch.inputs} at {@code ref}, through the contents API
   * (https://docs.github.com/en/rest/repos/contents#get-repository-content); parsed once per file version (its
   * blob sha). A workflow given by numeric id is first looked up for its file path.
   */
  private Future<WorkflowInputs> declaredInputs(WorkflowPath path, String ref) {
    return filePath(path).compose(file -> {
      String what = "workflow file " + file + " of " + path.owner() + "/" + path.repo() + (ref == null ? ""
          : " at " + ref) + " (read to learn its inputs; the token needs contents:read)";
      HttpRequest<Buffer> request = request(HttpMethod.GET, path.contentsPath(file));
      if (ref != null) {
        request.addQueryParam("ref", ref);
      }
      return request.send()
          .map(response -> HttpErrors.requireSuccess(label, what, response, clock))
          .map(response -> HttpErrors.readJson(label, what, response, json -> json))
          .map(json -> inputsOf(json, what));
    });
  }

  private WorkflowInputs inputsOf(JsonObject file, String what) {
    String sha = file.getString("sha");
    if (sha != null) {
      Optional<WorkflowInputs> cached = inputsBySha.get(sha);
      if (cached.isPresent()) {
        return cached.get();
      }
    }
    String content = file.getString("content");
    if (content == null || !"base64".equals(file.getString("encoding"))) {
      throw new CiException.Rejected(label + ": " + what + " came without its content (a file over 1 MB?)");
    }
    WorkflowInputs inputs;
    try {
      inputs = WorkflowInputs.parse(new String(java.util.Base64.getMimeDecoder().decode(content),
          java.nio.charset.StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new CiException.Rejected(label + ": " + what + ": " + e.getMessage());
    }
    if (sha != null) {
      inputsBySha.put(sha, inputs);
    }
    return inputs;
  }

  /**
   * {@code .github/workflows/<file>} for a file name; for a numeric id, the {@code path} GitHub answers for it
   * (https://docs.github.com/en/rest/actions/workflows#get-a-workflow).
   */
  private Future<String> filePath(WorkflowPath path) {
    if (!path.workflow().chars().allMatch(Character::isDigit)) {
      return Future.succeededFuture(".github/workflows/" + path.workflow());
    }
    String what = "workflow " + path.workflow() + " of " + path.owner() + "/" + path.repo();
    return request(HttpMethod.GET, path.workflowPath()).send()
        .map(response -> HttpErrors.requireSuccess(label, what, response, clock))
        .map(response -> HttpErrors.readJson(label, what, response, json -> HttpErrors.text(json, "path")));
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

  /**
   * {@code GET /meta} (https://docs.github.com/en/rest/meta/meta#get-github-meta-information): answered by
   * github.com and by every GitHub Enterprise Server, where {@code GET /rate_limit} answers 404 "Rate limiting
   * is not enabled." unless an administrator turned rate limiting on
   * (https://docs.github.com/en/enterprise-server@3.14/rest/rate-limit/rate-limit). GitHub refuses a bad token
   * with 401 on any endpoint, so a 200 means the token was accepted.
   */
  @Override
  public Future<String> check() {
    String what = "the server's meta information";
    return request(HttpMethod.GET, "/meta").send()
        .map(response -> HttpErrors.requireSuccess(label, what, response, clock))
        .map(response -> checkSummary(HttpErrors.readJson(label, what, response, json -> json),
            response.getHeader("x-ratelimit-remaining")))
        .recover(e -> Future.failedFuture(HttpErrors.asCiException(label, what, e)));
  }

  /** What the check found: the server (GHES reports {@code installed_version}) and the requests left, if limited. Pure. */
  static String checkSummary(JsonObject meta, String rateLimitRemaining) {
    String version = meta.getString("installed_version");
    String server = version == null ? "GitHub" : "GitHub Enterprise Server " + version;
    String limit = rateLimitRemaining == null || rateLimitRemaining.isBlank()
        ? "no rate limit reported" : rateLimitRemaining.strip() + " requests left";
    return "token accepted by " + server + "; " + limit;
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

    /** What a dispatch sends, and what it left out. */
    record Plan(Map<String, String> inputs, java.util.List<String> notes) {}

    /**
     * The inputs of one dispatch: every variable the step asked for, {@code correlation_id} when configured, and
     * the {@code context} ones only where the workflow declares them (noted otherwise). Refused before sending:
     * a workflow without {@code workflow_dispatch}, a variable or {@code correlation_id} the workflow does not
     * declare (GitHub: 422 "Unexpected inputs provided"), more than {@code maxInputs} inputs.
     */
    static Plan plan(String label, String pipelineId, WorkflowInputs declared, Map<String, String> variables,
        Map<String, String> context, String correlationId, int maxInputs) {
      if (!declared.dispatchable()) {
        throw new CiException.NotFound(label + ": workflow " + pipelineId + " has no workflow_dispatch trigger,"
            + " so it cannot be started through the API");
      }
      Map<String, String> inputs = new java.util.LinkedHashMap<>();
      java.util.List<String> undeclaredAsked = new java.util.ArrayList<>();
      java.util.List<String> contextLeftOut = new java.util.ArrayList<>();
      context.forEach((key, value) -> {
        if (!declared.inputs().contains(key)) {
          contextLeftOut.add(key);
        } else if (value != null) {
          inputs.put(key, value);
        }
      });
      variables.forEach((key, value) -> {
        if (!declared.inputs().contains(key)) {
          undeclaredAsked.add(key);
        } else if (value != null) {
          inputs.put(key, value);
        }
      });
      if (correlationId != null) {
        if (declared.inputs().contains("correlation_id")) {
          inputs.put("correlation_id", correlationId);
        } else {
          undeclaredAsked.add("correlation_id (config.correlationInput)");
        }
      }
      if (!undeclaredAsked.isEmpty()) {
        throw new CiException.Rejected(label + ": workflow " + pipelineId + " does not declare the input(s) "
            + String.join(", ", undeclaredAsked) + " under on.workflow_dispatch.inputs; GitHub would refuse the"
            + " dispatch (422 Unexpected inputs provided). Declared: "
            + (declared.inputs().isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(declared.inputs()))));
      }
      if (inputs.size() > maxInputs) {
        throw new CiException.Rejected(label + ": a workflow_dispatch takes at most " + maxInputs + " inputs"
            + " (config.maxInputs), this one would have " + inputs.size() + " (" + String.join(", ", inputs.keySet())
            + ")");
      }
      java.util.List<String> notes = contextLeftOut.isEmpty() ? java.util.List.of()
          : java.util.List.of("GitHub workflow " + pipelineId + " does not declare the input(s) "
              + String.join(", ", contextLeftOut.stream().sorted().toList()) + "; not sent");
      return new Plan(inputs, notes);
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
