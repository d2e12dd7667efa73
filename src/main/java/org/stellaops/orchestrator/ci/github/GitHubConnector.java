package org.stellaops.orchestrator.ci.github;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
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
 *
 * <p>The parts: {@link GitHubApi} (requests of one integration), {@link WorkflowFiles} (the inputs a workflow
 * declares), {@link Dispatch} (what a dispatch sends, pure) and {@link WorkflowRuns} (polling and discovery).
 */
public final class GitHubConnector implements CiConnector {

  /**
   * GitHub's cap on a dispatch's inputs (https://docs.github.com/en/rest/actions/workflows#create-a-workflow-dispatch-event);
   * older GitHub Enterprise Server versions take 10, set with {@code config.maxInputs}.
   */
  static final int DEFAULT_MAX_INPUTS = 25;
  /** How far before our trigger time a discovered run may be created: GitHub's and our clocks disagree. */
  static final long DISCOVERY_SLACK_SECONDS = 120;
  static final String DISPATCHED = "dispatched";

  private final GitHubApi api;
  private final WorkflowFiles files;
  private final WorkflowRuns runs;
  private final boolean correlationInput;
  private final int maxInputs;
  private final String label;
  private final Clock clock;

  public GitHubConnector(WebClient http, ResolvedIntegration integration, Clock clock) {
    this(http, integration, clock, new BoundedCache<>(64, Duration.ofHours(24), clock));
  }

  public GitHubConnector(WebClient http, ResolvedIntegration integration, Clock clock,
      BoundedCache<String, WorkflowInputs> inputsBySha) {
    this.api = new GitHubApi(http, integration, clock);
    this.correlationInput = integration.config().getBoolean("correlationInput", false);
    this.maxInputs = integration.config().getInteger("maxInputs", DEFAULT_MAX_INPUTS);
    this.files = new WorkflowFiles(api, inputsBySha);
    this.runs = new WorkflowRuns(api, correlationInput);
    this.label = api.label();
    this.clock = clock;
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
        .map(api::workflow)
        .compose(path -> files.declaredInputs(path, trigger.ref()).compose(declared -> {
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
        .map(api::workflow)
        .compose(path -> api.json(api.request(HttpMethod.GET, path.repoPath()), what,
            json -> Optional.ofNullable(json.getString("default_branch")).filter(b -> !b.isBlank())))
        .recover(e -> Future.failedFuture(HttpErrors.asCiException(label, what, e)));
  }

  /** By run id when known (conditional on the ETag); otherwise try to discover the dispatched run first. */
  @Override
  public Future<PollResult> poll(RunRef run, String etag) {
    return run.runId() == null ? runs.discover(run) : runs.pollRun(run, etag);
  }

  /** {@code POST …/runs/{id}/cancel} → 202; 409 means it already completed, which is what we wanted. */
  @Override
  public Future<Void> cancel(RunRef run) {
    Future<String> runId = run.runId() != null
        ? Future.succeededFuture(run.runId())
        : runs.discover(run).map(PollResult::runId);
    String what = "cancel of run " + (run.runId() != null ? run.runId() : "(not yet discovered)") + " of workflow "
        + run.pipelineId();
    return runId
        .compose(id -> {
          if (id == null) {
            // The run may still appear; Transient lets the caller retry the cancel later.
            return Future.failedFuture(new CiException.Transient(label + ": the dispatched run of workflow "
                + run.pipelineId() + " has not appeared yet, so it cannot be cancelled yet", null));
          }
          WorkflowPath path = api.workflow(run.pipelineId());
          return api.request(HttpMethod.POST, path.runPath(id) + "/cancel").send();
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
    return api.request(HttpMethod.GET, "/meta").send()
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
    return api.request(HttpMethod.POST, dispatch.path().workflowPath() + "/dispatches")
        .sendJsonObject(dispatch.body(returnRunDetails));
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
}
