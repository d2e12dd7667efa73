package org.stellaops.orchestrator.ci.jenkins;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.stellaops.orchestrator.ci.BoundedCache;
import org.stellaops.orchestrator.ci.CiConnector;
import org.stellaops.orchestrator.ci.CiException;
import org.stellaops.orchestrator.ci.HttpErrors;
import org.stellaops.orchestrator.ci.PollResult;
import org.stellaops.orchestrator.ci.RunStatus;
import org.stellaops.orchestrator.ci.VendorRun;
import org.stellaops.orchestrator.integration.ResolvedIntegration;

/**
 * Jenkins jobs through the remote access API (https://www.jenkins.io/doc/book/using/remote-access-api/).
 *
 * <p>Reads from a {@code ci.jenkins} integration:
 * <ul>
 *   <li>{@code config.endpoint}: the Jenkins root URL, e.g. {@code https://jenkins.example.com} (required).</li>
 *   <li>{@code config.requestTimeoutSeconds}: per request; default 10.</li>
 *   <li>{@code credentials.username} and {@code credentials.apiToken}: sent as HTTP Basic. Without both, requests
 *       go anonymous. A password in {@code apiToken} also works: a POST refused for a missing CSRF crumb is sent
 *       once more with a crumb and its session cookie.</li>
 * </ul>
 *
 * <p>{@code pipelineId} is the job path {@code folder/sub/job}; a multibranch branch {@code feature/x} is written
 * {@code multi/feature%2Fx}. Jenkins has no notion of a ref in its API: {@code ref} is not sent; jobs that build a
 * chosen ref take it as a parameter among the variables. Variables are build parameters: only those the job
 * declares are sent (see {@link JobParameters}), null values are left out. The credentials need Overall/Read,
 * Job/Read (to read the job's parameters) and Job/Build; Job/Cancel to cancel.
 *
 * <p>Run ids: a trigger answers with a queue item, so the first run id is {@code queue:{id}}; the poll that sees
 * the item start returns the build number instead. Jenkins forgets a started queue item after 5 minutes, so runs
 * must be polled more often than that while queued.
 *
 * <p>Redirects are never followed: the trigger's answer is a redirect whose Location is the result, and
 * {@code stop} answers with a redirect to a page we do not need.
 */
public final class JenkinsConnector implements CiConnector {

  static final String BUILD_TREE = "number,url,building,result,duration,timestamp";

  private final WebClient http;
  private final Clock clock;
  private final String root;
  private final long timeoutMs;
  private final String authorization;
  private final String label;
  private final java.util.UUID integrationId;
  private final BoundedCache<String, Set<String>> parameterCache;

  public JenkinsConnector(WebClient http, ResolvedIntegration integration, Clock clock) {
    this(http, integration, clock, new BoundedCache<>(64, Duration.ofSeconds(60), clock));
  }

  public JenkinsConnector(WebClient http, ResolvedIntegration integration, Clock clock,
      BoundedCache<String, Set<String>> parameterCache) {
    this.http = http;
    this.integrationId = integration.id();
    this.parameterCache = parameterCache;
    this.clock = clock;
    String endpoint = integration.config().getString("endpoint");
    this.root = endpoint == null ? null : endpoint.replaceAll("/+$", "");
    this.timeoutMs = integration.config().getInteger("requestTimeoutSeconds", 10) * 1000L;
    this.authorization = basic(integration.credential("username"), integration.credential("apiToken"));
    this.label = "Jenkins (integration '" + integration.name() + "')";
  }

  /**
   * {@code POST …/buildWithParameters?K=v…&delay=0sec} for a job that declares parameters, {@code POST
   * …/build?delay=0sec} for one that does not: Jenkins refuses the other way round. Only declared parameters are
   * sent; the run notes the rest. When Jenkins still refuses for that reason (the job was changed since we read
   * it), its definition is read again and the trigger sent once more.
   */
  @Override
  public Future<VendorRun> trigger(Trigger trigger) {
    String what = "job " + trigger.pipelineId();
    return Future.succeededFuture(trigger.pipelineId())
        .map(this::jobPath)
        .compose(job -> triggerAs(job, trigger, what, true))
        .recover(e -> Future.failedFuture(HttpErrors.asCiException(label, "trigger of " + what, e)));
  }

  /** Jenkins has no ref in its API; a job that builds a chosen ref takes it as a parameter. */
  @Override
  public boolean needsRef() {
    return false;
  }

  @Override
  public Future<Optional<String>> defaultRef(String pipelineId) {
    return Future.succeededFuture(Optional.empty());
  }

  private Future<VendorRun> triggerAs(String job, Trigger trigger, String what, boolean mayRetry) {
    return declaredParameters(job, what).compose(declared -> {
      JobParameters plan = JobParameters.plan(trigger.pipelineId(), declared, trigger.variables(), trigger.context());
      Map<String, String> query = new LinkedHashMap<>(plan.send());
      query.put("delay", "0sec");
      return post(job + plan.endpoint(), query).compose(response -> {
        if (mayRetry && JobParameters.refusedForParameters(response.statusCode(), response.bodyAsString())) {
          parameterCache.remove(cacheKey(job));
          return triggerAs(job, trigger, what, false);
        }
        return Future.succeededFuture(queued(response, job, what).withNotes(plan.notes()));
      });
    });
  }

  /**
   * The names of the job's parameters, from {@code GET …/api/json?tree=property[parameterDefinitions[name]]};
   * kept a short while per job, since a promotion may trigger the same job often.
   */
  private Future<Set<String>> declaredParameters(String job, String what) {
    String key = cacheKey(job);
    Optional<Set<String>> cached = parameterCache.get(key);
    if (cached.isPresent()) {
      return Future.succeededFuture(cached.get());
    }
    String reading = "the parameters of " + what;
    return request(HttpMethod.GET, job + "/api/json").addQueryParam("tree", JobParameters.TREE).send()
        .map(response -> HttpErrors.requireSuccess(label, reading, response, clock))
        .map(response -> HttpErrors.readJson(label, reading, response, JobParameters::declared))
        .onSuccess(names -> parameterCache.put(key, names));
  }

  private String cacheKey(String job) {
    return integrationId + " " + job;
  }

  /** A queue item until it starts, then the build. Jenkins sends no ETags, so {@code etag} is not used. */
  @Override
  public Future<PollResult> poll(RunRef run, String etag) {
    String what = "run " + run.runId() + " of job " + run.pipelineId();
    return Future.succeededFuture(run.runId())
        .map(this::wellFormed)
        .compose(runId -> JenkinsPaths.queueIdOf(runId)
            .map(queueId -> pollQueued(run.pipelineId(), queueId))
            .orElseGet(() -> pollBuild(run.pipelineId(), runId)))
        .recover(e -> Future.failedFuture(HttpErrors.asCiException(label, what, e)));
  }

  /** Cancels the queue item, or stops the build it has become. */
  @Override
  public Future<Void> cancel(RunRef run) {
    String what = "cancel of run " + run.runId() + " of job " + run.pipelineId();
    return Future.succeededFuture(run.runId())
        .map(this::wellFormed)
        .compose(runId -> JenkinsPaths.queueIdOf(runId)
            .map(queueId -> cancelQueued(run.pipelineId(), queueId))
            .orElseGet(() -> stopBuild(run.pipelineId(), runId)))
        .recover(e -> Future.failedFuture(HttpErrors.asCiException(label, what, e)));
  }

  /** {@code GET /api/json?tree=mode}: the root answers only when it is Jenkins and the credentials are good. */
  @Override
  public Future<String> check() {
    String what = "the Jenkins root";
    return Future.succeededFuture()
        .compose(v -> request(HttpMethod.GET, "/api/json").addQueryParam("tree", "mode").send())
        .map(response -> HttpErrors.requireSuccess(label, what, response, clock))
        .map(response -> HttpErrors.readJson(label, what, response, json -> HttpErrors.text(json, "mode")))
        .map(mode -> "reachable; mode " + mode)
        .recover(e -> Future.failedFuture(HttpErrors.asCiException(label, what, e)));
  }

  /**
   * The trigger's answer: 201, or 303 for an identical item already queued, with the queue item in Location.
   * Any other redirect (to {@code .}) means Jenkins accepted the request and scheduled nothing.
   */
  private VendorRun queued(HttpResponse<Buffer> response, String job, String what) {
    int status = response.statusCode();
    if (status == 409) {
      throw new CiException.Rejected(label + ": " + what + " is disabled (409)");
    }
    if (status / 100 != 2 && status / 100 != 3) {
      throw HttpErrors.forResponse(label, what, response, clock);
    }
    String queueId = JenkinsPaths.queueId(response.getHeader("Location"))
        .orElseThrow(() -> new CiException.Rejected(label + ": Jenkins scheduled nothing for " + what + " (answered "
            + status + " without a queue item)"));
    return new VendorRun(JenkinsPaths.queueRunId(queueId), RunStatus.PENDING, "QUEUED", root + job + "/");
  }

  /** {@code GET /queue/item/{id}/api/json}; once the item has a build, that build is read right away. */
  private Future<PollResult> pollQueued(String pipelineId, String queueId) {
    String runId = JenkinsPaths.queueRunId(queueId);
    return readQueueItem(queueId).compose(item -> {
      if (item.buildNumber() != null) {
        return pollBuild(pipelineId, String.valueOf(item.buildNumber()));
      }
      String webUrl = root + jobPath(pipelineId) + "/";
      return Future.succeededFuture(item.cancelled()
          ? PollResult.of(runId, RunStatus.CANCELLED, "CANCELLED", webUrl, null)
          : PollResult.of(runId, RunStatus.PENDING, item.waitingFor(), webUrl, null));
    });
  }

  private Future<QueueItem> readQueueItem(String queueId) {
    String what = "queue item " + queueId;
    return request(HttpMethod.GET, "/queue/item/" + queueId + "/api/json").send()
        .map(response -> {
          if (response.statusCode() == 404) {
            // Left items are kept 5 minutes; after that the item, and which build it became, is gone.
            throw new CiException.Rejected(label + ": " + what + " expired before it started (404)");
          }
          HttpErrors.requireSuccess(label, what, response, clock);
          return HttpErrors.readJson(label, what, response, QueueItem::from);
        });
  }

  /** {@code GET /job/…/{n}/api/json?tree=…}: building is running, else the result decides. */
  private Future<PollResult> pollBuild(String pipelineId, String number) {
    String what = "build " + number + " of job " + pipelineId;
    return request(HttpMethod.GET, jobPath(pipelineId) + "/" + number + "/api/json")
        .addQueryParam("tree", BUILD_TREE)
        .send()
        .map(response -> HttpErrors.requireSuccess(label, what, response, clock))
        .map(response -> HttpErrors.readJson(label, what, response, json -> toPollResult(number, json)));
  }

  static PollResult toPollResult(String number, JsonObject build) {
    Boolean building = build.getBoolean("building");
    if (building == null) {
      throw new IllegalStateException("no \"building\"");
    }
    String url = build.getString("url");
    if (building) {
      return PollResult.of(number, RunStatus.RUNNING, "BUILDING", url, null);
    }
    String result = build.getString("result");
    PollResult done = PollResult.of(number, RunStatus.jenkinsResult(result), result, url, null);
    // timestamp is the start (epoch ms) and duration the length (ms) of a finished build.
    Long start = build.getLong("timestamp");
    Long duration = build.getLong("duration");
    return start == null || duration == null ? done : done.finishedAt(java.time.Instant.ofEpochMilli(start + duration));
  }

  /** An item that started since the last poll is a build now: cancelling the item would leave it running. */
  private Future<Void> cancelQueued(String pipelineId, String queueId) {
    String what = "cancel of queue item " + queueId;
    return readQueueItem(queueId).compose(item -> item.buildNumber() != null
        ? stopBuild(pipelineId, String.valueOf(item.buildNumber()))
        : post("/queue/cancelItem", Map.of("id", queueId))
            .map(response -> accepted(response, what)));
  }

  /** {@code POST …/{n}/stop}; it answers with a redirect, which counts as done. */
  private Future<Void> stopBuild(String pipelineId, String number) {
    String what = "stop of build " + number + " of job " + pipelineId;
    return post(jobPath(pipelineId) + "/" + number + "/stop", Map.of())
        .map(response -> accepted(response, what));
  }

  private Void accepted(HttpResponse<Buffer> response, String what) {
    int status = response.statusCode();
    if (status / 100 == 2 || status / 100 == 3) {
      return null;
    }
    throw HttpErrors.forResponse(label, what, response, clock);
  }

  /** A POST; a 403 blaming a missing crumb is sent once more with a crumb (https://www.jenkins.io/doc/book/security/csrf-protection/). */
  private Future<HttpResponse<Buffer>> post(String path, Map<String, String> query) {
    return send(path, query, null).compose(response -> {
      if (!Crumb.isCrumbProblem(response.statusCode(), response.bodyAsString())) {
        return Future.succeededFuture(response);
      }
      // No crumb issuer (404) means the 403 was about something else: let that answer stand.
      return fetchCrumb().compose(crumb -> crumb
          .map(c -> send(path, query, c))
          .orElseGet(() -> Future.succeededFuture(response)));
    });
  }

  private Future<HttpResponse<Buffer>> send(String path, Map<String, String> query, Crumb crumb) {
    HttpRequest<Buffer> request = request(HttpMethod.POST, path);
    query.forEach(request::addQueryParam);
    if (crumb != null) {
      request.putHeader(crumb.field(), crumb.value());
      if (crumb.cookie() != null) {
        request.putHeader("Cookie", crumb.cookie());
      }
    }
    return request.send();
  }

  /** {@code GET /crumbIssuer/api/json}; empty when it is 404, i.e. CSRF protection is off. */
  private Future<Optional<Crumb>> fetchCrumb() {
    String what = "a CSRF crumb";
    return request(HttpMethod.GET, "/crumbIssuer/api/json").send().map(response -> {
      if (response.statusCode() == 404) {
        return Optional.empty();
      }
      HttpErrors.requireSuccess(label, what, response, clock);
      return Optional.of(HttpErrors.readJson(label, what, response,
          json -> Crumb.from(json, response.cookies())));
    });
  }

  /** Throws when {@code config.endpoint} is missing; called inside future chains, so that becomes a failure. */
  private HttpRequest<Buffer> request(HttpMethod method, String path) {
    if (root == null) {
      throw new CiException.Rejected(label + " has no config.endpoint (the Jenkins root URL)");
    }
    HttpRequest<Buffer> request = http.requestAbs(method, root + path).timeout(timeoutMs).followRedirects(false);
    if (authorization != null) {
      request.putHeader("Authorization", authorization);
    }
    return request;
  }

  /** A malformed pipelineId or run id is the caller's error: retrying will not help. */
  private String jobPath(String pipelineId) {
    try {
      return JenkinsPaths.job(pipelineId);
    } catch (IllegalArgumentException e) {
      throw new CiException.Rejected(label + ": " + e.getMessage());
    }
  }

  private String wellFormed(String runId) {
    try {
      return JenkinsPaths.requireWellFormed(runId);
    } catch (IllegalArgumentException e) {
      throw new CiException.Rejected(label + ": " + e.getMessage());
    }
  }

  private static String basic(String username, String apiToken) {
    if (username == null || apiToken == null) {
      return null;
    }
    return "Basic " + Base64.getEncoder().encodeToString((username + ":" + apiToken).getBytes(StandardCharsets.UTF_8));
  }
}
