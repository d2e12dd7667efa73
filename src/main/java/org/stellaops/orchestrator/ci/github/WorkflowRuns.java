package org.stellaops.orchestrator.ci.github;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import org.stellaops.orchestrator.ci.CiConnector.RunRef;
import org.stellaops.orchestrator.ci.HttpErrors;
import org.stellaops.orchestrator.ci.PollResult;
import org.stellaops.orchestrator.ci.RunStatus;

/**
 * Reading a workflow run's state: by its id when known, else by finding the dispatched run in the workflow's
 * run list ({@link Discovery}). Reads only; failures come back as {@link org.stellaops.orchestrator.ci.CiException}s.
 */
final class WorkflowRuns {

  private final GitHubApi api;
  private final boolean correlationInput;

  WorkflowRuns(GitHubApi api, boolean correlationInput) {
    this.api = api;
    this.correlationInput = correlationInput;
  }

  /** {@code GET /repos/{o}/{r}/actions/runs/{id}}; a 304 does not count against the rate limit. */
  Future<PollResult> pollRun(RunRef run, String etag) {
    String what = "run " + run.runId() + " of workflow " + run.pipelineId();
    return Future.succeededFuture(run.pipelineId())
        .map(api::workflow)
        .compose(path -> {
          HttpRequest<Buffer> request = api.request(HttpMethod.GET, path.runPath(run.runId()));
          if (etag != null) {
            request.putHeader("If-None-Match", etag);
          }
          return request.send();
        })
        .map(response -> {
          if (response.statusCode() == 304) {
            return PollResult.unchanged();
          }
          HttpErrors.requireSuccess(api.label(), what, response, api.clock());
          return HttpErrors.readJson(api.label(), what, response,
              json -> toPollResult(json, response.getHeader("ETag")));
        })
        .recover(e -> Future.failedFuture(HttpErrors.asCiException(api.label(), what, e)));
  }

  /**
   * Lists the workflow's {@code workflow_dispatch} runs on the ref created since shortly before the trigger and
   * picks ours; until it shows up the run stays pending with no id.
   */
  Future<PollResult> discover(RunRef run) {
    String what = "the dispatched run of workflow " + run.pipelineId();
    Instant since = Discovery.since(run.triggeredAt() != null ? run.triggeredAt() : api.clock().instant());
    String correlation = correlationInput ? run.correlationId() : null;
    return Future.succeededFuture(run.pipelineId())
        .map(api::workflow)
        .compose(path -> {
          HttpRequest<Buffer> request = api.request(HttpMethod.GET, path.workflowPath() + "/runs")
              .addQueryParam("event", "workflow_dispatch");
          if (run.ref() != null) {
            request.addQueryParam("branch", Discovery.branch(run.ref()));
          }
          return api.json(request
                  .addQueryParam("created", ">=" + since.truncatedTo(ChronoUnit.SECONDS))
                  .addQueryParam("per_page", "50"), what,
              json -> Discovery.pick(json.getJsonArray("workflow_runs"), correlation, since)
                  .map(found -> toPollResult(found, null))
                  .orElseGet(() -> PollResult.of(null, RunStatus.PENDING, GitHubConnector.DISPATCHED, null, null)));
        })
        .recover(e -> Future.failedFuture(HttpErrors.asCiException(api.label(), what, e)));
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

  private static Instant instant(String iso) {
    try {
      return iso == null ? null : Instant.parse(iso);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
