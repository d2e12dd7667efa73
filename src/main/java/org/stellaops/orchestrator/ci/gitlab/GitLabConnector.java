package org.stellaops.orchestrator.ci.gitlab;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
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
 * GitLab CI pipelines through REST API v4.
 *
 * <p>Reads from a {@code ci.gitlab} integration:
 * <ul>
 *   <li>{@code config.endpoint}: the instance URL, e.g. {@code https://gitlab.example.com} ({@code /api/v4} is
 *       appended); default {@code https://gitlab.com}.</li>
 *   <li>{@code config.requestTimeoutSeconds}: per request; default 10.</li>
 *   <li>{@code credentials.token}: an access token sent as {@code PRIVATE-TOKEN}; scope {@code api} to trigger and
 *       cancel, {@code read_api} is enough to poll and check.</li>
 *   <li>{@code credentials.triggerToken} (optional): a pipeline trigger token, used to trigger only when there is no
 *       {@code token}. It cannot read or cancel pipelines, so polling, cancel and check still need {@code token}.</li>
 * </ul>
 *
 * <p>{@code pipelineId} is the project: its numeric id or its path {@code grp/sub/proj}. The run id is the
 * pipeline's numeric {@code id}. Variables are sent as {@code env_var} variables; null values are left out.
 * {@code pipelineInputs} are sent as the pipeline's {@code inputs} (GitLab 17.10+), which projects that restrict
 * pipeline variables still accept.
 */
public final class GitLabConnector implements CiConnector {

  static final String DEFAULT_ENDPOINT = "https://gitlab.com";

  private final WebClient http;
  private final Clock clock;
  private final String api;
  private final long timeoutMs;
  private final String token;
  private final String triggerToken;
  private final String label;

  public GitLabConnector(WebClient http, ResolvedIntegration integration, Clock clock) {
    this.http = http;
    this.clock = clock;
    this.api = apiBase(integration.config().getString("endpoint", DEFAULT_ENDPOINT));
    this.timeoutMs = integration.config().getInteger("requestTimeoutSeconds", 10) * 1000L;
    this.token = integration.credential("token");
    this.triggerToken = integration.credential("triggerToken");
    this.label = "GitLab (integration '" + integration.name() + "')";
  }

  /**
   * Creates the pipeline with the access token, or, when only a trigger token is configured, with that. A project
   * that lets no one set pipeline variables answers 400 "Insufficient permissions to set pipeline variables"
   * (https://docs.gitlab.com/ci/variables/#restrict-pipeline-variables): when the step asked for no variables of
   * its own, the pipeline is created once more without the {@code STELLA_*} context, and the run says so; when it
   * did, the trigger fails naming the project setting.
   */
  @Override
  public Future<VendorRun> trigger(Trigger trigger) {
    String what = "project " + trigger.pipelineId();
    Map<String, String> own = nonNull(trigger.variables());
    Map<String, String> all = new java.util.LinkedHashMap<>(nonNull(trigger.context()));
    all.putAll(own);
    return send(trigger, all, what)
        .compose(response -> {
          if (!refusesVariables(response.statusCode(), response.bodyAsString()) || all.isEmpty()) {
            return Future.succeededFuture(toVendorRun(response, what));
          }
          if (!own.isEmpty()) {
            throw new CiException.Rejected(label + ": " + what + " does not allow pipeline variables for this token's"
                + " user (GitLab: 400 Insufficient permissions to set pipeline variables), and this trigger sets "
                + String.join(", ", new java.util.TreeSet<>(own.keySet())) + ". Raise the project's CI/CD setting"
                + " 'Minimum role to use pipeline variables' (ci_pipeline_variables_minimum_override_role) to the"
                + " token user's role, or pass the values as pipelineInputs");
          }
          return send(trigger, Map.of(), what).map(retried -> toVendorRun(retried, what).withNotes(List.of(
              "GitLab " + what + " allows no pipeline variables for this token's user; triggered without "
                  + String.join(", ", new java.util.TreeSet<>(all.keySet())))));
        })
        .recover(e -> Future.failedFuture(HttpErrors.asCiException(label, "trigger of " + what, e)));
  }

  /** {@code GET /projects/:id}: its {@code default_branch}, absent for a project without a repository. */
  @Override
  public Future<Optional<String>> defaultRef(String pipelineId) {
    String what = "project " + pipelineId;
    return requireToken(what)
        .compose(v -> authorized(HttpMethod.GET, projectPath(pipelineId)).send())
        .map(response -> HttpErrors.requireSuccess(label, what, response, clock))
        .map(response -> HttpErrors.readJson(label, what, response,
            json -> Optional.ofNullable(json.getString("default_branch")).filter(b -> !b.isBlank())))
        .recover(e -> Future.failedFuture(HttpErrors.asCiException(label, what, e)));
  }

  private Future<HttpResponse<Buffer>> send(Trigger trigger, Map<String, String> variables, String what) {
    return Future.succeededFuture().compose(v -> {
      if (token != null) {
        return createPipeline(trigger.pipelineId(), trigger.ref(), variables, trigger.pipelineInputs());
      }
      if (triggerToken == null) {
        throw new CiException.Unauthorized(label + " has neither credentials.token nor credentials.triggerToken;"
            + " cannot trigger " + what);
      }
      if (trigger.pipelineInputs() != null) {
        throw new CiException.Rejected(label + ": pipelineInputs need credentials.token (the create-pipeline API);"
            + " a trigger token cannot pass them");
      }
      return triggerPipeline(trigger.pipelineId(), trigger.ref(), variables);
    });
  }

  /** GitLab's answer for variables a project does not allow (lib/api/ci/pipelines.rb renders the chain's error). */
  static boolean refusesVariables(int status, String body) {
    return status == 400 && body != null && body.contains("Insufficient permissions to set pipeline variables");
  }

  private VendorRun toVendorRun(HttpResponse<Buffer> response, String what) {
    HttpErrors.requireSuccess(label, what, response, clock);
    return HttpErrors.readJson(label, what, response, GitLabConnector::toVendorRun);
  }

  /** {@code GET /projects/:id/pipelines/:pipeline_id}, conditional on the last ETag. */
  @Override
  public Future<PollResult> poll(RunRef run, String etag) {
    String what = "pipeline " + run.runId() + " of project " + run.pipelineId();
    return requireToken(what)
        .compose(v -> {
          HttpRequest<Buffer> request = authorized(HttpMethod.GET, pipelinePath(run));
          if (etag != null) {
            request.putHeader("If-None-Match", etag);
          }
          return request.send();
        })
        .map(response -> response.statusCode() == 304 ? PollResult.unchanged() : toPollResult(response, what))
        .recover(e -> Future.failedFuture(HttpErrors.asCiException(label, what, e)));
  }

  /** {@code POST …/cancel}. GitLab answers 200 in any state, so the next poll is what confirms it. */
  @Override
  public Future<Void> cancel(RunRef run) {
    String what = "pipeline " + run.runId() + " of project " + run.pipelineId();
    return requireToken(what)
        .compose(v -> authorized(HttpMethod.POST, pipelinePath(run) + "/cancel").send())
        .map(response -> HttpErrors.requireSuccess(label, "cancel of " + what, response, clock))
        .<Void>mapEmpty()
        .recover(e -> Future.failedFuture(HttpErrors.asCiException(label, "cancel of " + what, e)));
  }

  /** {@code GET /user}: proves the endpoint and the token in one call. */
  @Override
  public Future<String> check() {
    String what = "the current user";
    return requireToken(what)
        .compose(v -> authorized(HttpMethod.GET, "/user").send())
        .map(response -> HttpErrors.requireSuccess(label, what, response, clock))
        .map(response -> HttpErrors.readJson(label, what, response, json -> HttpErrors.text(json, "username")))
        .map(username -> "authenticated as " + username)
        .recover(e -> Future.failedFuture(HttpErrors.asCiException(label, what, e)));
  }

  /** {@code POST /projects/:id/pipeline} with a JSON body; the normal way, needs scope {@code api}. */
  private Future<HttpResponse<Buffer>> createPipeline(String pipelineId, String ref, Map<String, String> variables,
      JsonObject inputs) {
    return authorized(HttpMethod.POST, projectPath(pipelineId) + "/pipeline")
        .sendJsonObject(createBody(ref, variables, inputs));
  }

  /** {@code POST /projects/:id/trigger/pipeline}, form-encoded, no PRIVATE-TOKEN: the trigger token is the auth. */
  private Future<HttpResponse<Buffer>> triggerPipeline(String pipelineId, String ref, Map<String, String> variables) {
    return http.requestAbs(HttpMethod.POST, api + projectPath(pipelineId) + "/trigger/pipeline")
        .timeout(timeoutMs)
        .sendForm(triggerForm(triggerToken, ref, variables));
  }

  private HttpRequest<Buffer> authorized(HttpMethod method, String path) {
    return http.requestAbs(method, api + path).timeout(timeoutMs).putHeader("PRIVATE-TOKEN", token);
  }

  /** A trigger token cannot read pipelines; say so instead of letting GitLab answer a puzzling 401. */
  private Future<Void> requireToken(String what) {
    if (token != null) {
      return Future.succeededFuture();
    }
    return Future.failedFuture(new CiException.Unauthorized(label + " has no credentials.token; reading " + what
        + " needs a token with the read_api scope (a trigger token can only start pipelines)"));
  }

  private PollResult toPollResult(HttpResponse<Buffer> response, String what) {
    HttpErrors.requireSuccess(label, what, response, clock);
    String etag = response.getHeader("ETag");
    return HttpErrors.readJson(label, what, response, pipeline -> {
      VendorRun run = toVendorRun(pipeline);
      return PollResult.of(run.runId(), run.status(), run.vendorStatus(), run.webUrl(), etag)
          .finishedAt(instant(pipeline.getValue("finished_at")));
    });
  }

  /** GitLab's ISO-8601 {@code finished_at}, or null. */
  static java.time.Instant instant(Object value) {
    try {
      return value instanceof String s ? java.time.OffsetDateTime.parse(s).toInstant() : null;
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  /** A pipeline object (both the create and the get answer are one). */
  static VendorRun toVendorRun(JsonObject pipeline) {
    String status = HttpErrors.text(pipeline, "status");
    return new VendorRun(String.valueOf(HttpErrors.number(pipeline, "id")), RunStatus.gitlab(status), status,
        pipeline.getString("web_url"));
  }

  /**
   * {@code {ref, variables?, inputs?}} (https://docs.gitlab.com/api/pipelines/#create-a-new-pipeline): no
   * {@code variables} key at all when there are none, since a project that restricts pipeline variables refuses
   * any; {@code inputs} (GitLab 17.10+) only when given.
   */
  static JsonObject createBody(String ref, Map<String, String> variables, JsonObject inputs) {
    JsonObject body = new JsonObject().put("ref", ref);
    JsonArray vars = new JsonArray();
    nonNull(variables).forEach((key, value) -> vars.add(new JsonObject()
        .put("key", key).put("value", value).put("variable_type", "env_var")));
    if (!vars.isEmpty()) {
      body.put("variables", vars);
    }
    if (inputs != null) {
      body.put("inputs", inputs.copy());
    }
    return body;
  }

  static MultiMap triggerForm(String triggerToken, String ref, Map<String, String> variables) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap().add("token", triggerToken).add("ref", ref);
    nonNull(variables).forEach((key, value) -> form.add("variables[" + key + "]", value));
    return form;
  }

  /** {@code /projects/:id}, a path id being one URL-encoded segment ({@code grp%2Fproj}). */
  static String projectPath(String pipelineId) {
    return "/projects/" + segment(pipelineId);
  }

  /** {@code /projects/:id/pipelines/:pipeline_id}; a run without an id cannot be addressed, ever. */
  private String pipelinePath(RunRef run) {
    if (run.runId() == null) {
      throw new CiException.Rejected(label + ": no pipeline id to read in project " + run.pipelineId());
    }
    return projectPath(run.pipelineId()) + "/pipelines/" + segment(run.runId());
  }

  /** The instance URL with {@code /api/v4}, tolerating a configured URL that already ends with it. */
  static String apiBase(String endpoint) {
    String base = endpoint.replaceAll("/+$", "");
    return base.endsWith("/api/v4") ? base : base + "/api/v4";
  }

  static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Variables with a value; a null would be a 400 from GitLab ("non-string values"), absent is the same to a job. */
  private static Map<String, String> nonNull(Map<String, String> variables) {
    Map<String, String> kept = new java.util.LinkedHashMap<>();
    if (variables != null) {
      variables.forEach((key, value) -> {
        if (value != null) {
          kept.put(key, value);
        }
      });
    }
    return kept;
  }
}
