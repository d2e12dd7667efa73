package org.stellaops.orchestrator.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A GitLab REST v4 stand-in on a random loopback port: create a pipeline
 * ({@code POST /api/v4/projects/:id/pipeline} → 201, https://docs.gitlab.com/api/pipelines/#create-a-new-pipeline,
 * refusing a missing ref and, in projects that restrict them, any pipeline variable; {@code inputs} are accepted
 * and recorded), read it, cancel it (200 in any state), read the project's {@code default_branch},
 * {@code GET /api/v4/user}; {@code PRIVATE-TOKEN} is required (401 {@code {"message":"401 Unauthorized"}}).
 * Tests move pipelines between states and can make the next answers fail (a 429 with {@code RateLimit-Reset},
 * https://docs.gitlab.com/security/rate_limits/).
 *
 * <p>Deployments as GitLab's {@code lib/api/deployments.rb}
 * (https://gitlab.com/gitlab-org/gitlab/-/blob/master/lib/api/deployments.rb) answers them
 * (https://docs.gitlab.com/api/deployments/): {@code POST /projects/:id/deployments} requires {@code environment},
 * {@code sha}, {@code ref}, {@code tag} (Boolean) and {@code status} (running, success, failed or canceled) —
 * Grape's 400 {@code {"error":"tag is missing"}} / {@code "status does not have a valid value"} otherwise — and
 * refuses a ref the repository lacks with 400 {@code {"message":{"ref":["The branch or tag does not exist"]}}};
 * {@code PUT /projects/:id/deployments/:deployment_id} requires a valid {@code status}; an unknown deployment is
 * 404 {@code {"message":"404 Not found"}}. The repository has the branch {@code main} and the refs added with
 * {@link #ref}.
 */
public final class FakeGitLab implements AutoCloseable {

  public static final String TOKEN = "glpat-test-token";

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final AtomicInteger nextId = new AtomicInteger(1000);
  private final Map<String, String> statuses = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();
  private final Map<String, List<Long>> readTimes = new ConcurrentHashMap<>();
  private final AtomicInteger readsInProgress = new AtomicInteger();
  private final AtomicInteger mostReadsAtOnce = new AtomicInteger();
  private volatile long readDelayMillis;
  private final List<JsonObject> created = new CopyOnWriteArrayList<>();
  private final List<String> cancels = new CopyOnWriteArrayList<>();
  private final List<JsonObject> commitStatuses = new CopyOnWriteArrayList<>();
  /** When set, the next read answers this status code (and body) instead. */
  private final AtomicReference<Fault> fault = new AtomicReference<>();

  public record Fault(int status, Map<String, String> headers, String body, int times) {}

  /** Projects (by path) whose pipeline variables no one may set. */
  private final java.util.Set<String> restricted = ConcurrentHashMap.newKeySet();
  /** Projects (by path) without a repository, so without a default branch. */
  private final java.util.Set<String> emptyProjects = ConcurrentHashMap.newKeySet();
  private final List<String> userAgents = new CopyOnWriteArrayList<>();
  private final java.util.Set<String> refs = ConcurrentHashMap.newKeySet();
  private final Map<Long, JsonObject> deployments = new ConcurrentHashMap<>();
  private final List<JsonObject> deploymentUpdates = new CopyOnWriteArrayList<>();
  private final AtomicInteger nextDeploymentId = new AtomicInteger(500);
  private static final List<String> DEPLOYMENT_STATUSES = List.of("running", "success", "failed", "canceled");

  {
    refs.add("main");
  }

  /** A branch or tag the repository has, besides {@code main}. */
  public FakeGitLab ref(String name) {
    refs.add(name);
    return this;
  }

  /** Deployments created through the API, in creation order, each as it is now ({@code status} updated). */
  public List<JsonObject> deployments() {
    return deployments.values().stream().sorted(java.util.Comparator.comparingLong(d -> d.getLong("id"))).toList();
  }

  /** Every accepted {@code PUT …/deployments/:id}: {@code id} and {@code status}. */
  public List<JsonObject> deploymentUpdates() {
    return deploymentUpdates;
  }

  /** The project's "Minimum role to use pipeline variables" is "no one allowed". */
  public void restrictPipelineVariables(String project) {
    restricted.add(project);
  }

  /** The project has no repository, so no default branch. */
  public void emptyProject(String project) {
    emptyProjects.add(project);
  }

  public List<String> userAgents() {
    return userAgents;
  }

  private static String decode(String segment) {
    return java.net.URLDecoder.decode(segment, java.nio.charset.StandardCharsets.UTF_8);
  }

  public FakeGitLab() {
    server = LoopbackServer.listen(vertx, this::handle);
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  public void setStatus(String pipelineId, String status) {
    statuses.put(pipelineId, status);
  }

  public int reads(String pipelineId) {
    return reads.getOrDefault(pipelineId, new AtomicInteger()).get();
  }

  /** Answers every pipeline read this much later (a slow CI API). */
  public void delayReads(long millis) {
    readDelayMillis = millis;
  }

  /** The most pipeline reads that were being answered at one moment. */
  public int mostReadsAtOnce() {
    return mostReadsAtOnce.get();
  }

  public void resetMostReadsAtOnce() {
    mostReadsAtOnce.set(readsInProgress.get());
  }

  /** When each read of a pipeline arrived (milliseconds since the epoch), in order. */
  public List<Long> readTimes(String pipelineId) {
    return readTimes.getOrDefault(pipelineId, List.of());
  }

  public List<JsonObject> created() {
    return created;
  }

  public List<String> cancels() {
    return cancels;
  }

  /** Commit statuses posted to {@code POST /projects/:id/statuses/:sha}, with {@code project} and {@code sha}. */
  public List<JsonObject> commitStatuses() {
    return commitStatuses;
  }

  /** The next {@code times} pipeline reads fail this way. */
  public void failReads(int status, Map<String, String> headers, String body, int times) {
    fault.set(new Fault(status, headers, body, times));
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(body -> {
      userAgents.add(String.valueOf(req.getHeader("User-Agent")));
      if (!TOKEN.equals(req.getHeader("PRIVATE-TOKEN"))) {
        req.response().setStatusCode(401).putHeader("Content-Type", "application/json")
            .end("{\"message\":\"401 Unauthorized\"}");
        return;
      }
      String path = req.path();
      if (path.equals("/api/v4/user")) {
        json(req, 200, new JsonObject().put("id", 1).put("username", "stella-bot"));
      } else if (path.matches("/api/v4/projects/[^/]+/pipeline") && req.method().name().equals("POST")) {
        JsonObject request = body.toJsonObject();
        if (request.getString("ref") == null) {
          // Grape's "requires :ref" (lib/api/ci/pipelines.rb, https://gitlab.com/gitlab-org/gitlab).
          json(req, 400, new JsonObject().put("error", "ref is missing"));
          return;
        }
        JsonArray variables = request.getJsonArray("variables", new JsonArray());
        if (!variables.isEmpty() && restricted.contains(decode(path.split("/")[4]))) {
          // https://docs.gitlab.com/ci/variables/#restrict-pipeline-variables: with the minimum role "no one
          // allowed" (the default for GitLab.com projects created since 2025), any variable is refused; the API
          // renders the pipeline's error (lib/api/ci/pipelines.rb).
          json(req, 400, new JsonObject().put("message", new JsonObject().put("base",
              new JsonArray().add("Insufficient permissions to set pipeline variables"))));
          return;
        }
        if (path.contains("missing")) {
          json(req, 404, new JsonObject().put("message", "404 Project Not Found"));
          return;
        }
        String id = String.valueOf(nextId.incrementAndGet());
        created.add(request.copy().put("project", path.split("/")[4]).put("id", id));
        statuses.put(id, "created");
        json(req, 201, pipeline(path.split("/")[4], id));
      } else if (path.matches("/api/v4/projects/[^/]+") && req.method().name().equals("GET")) {
        // https://docs.gitlab.com/api/projects/#get-a-single-project: default_branch is null without a repository.
        String project = decode(path.split("/")[4]);
        json(req, 200, new JsonObject().put("id", 42).put("path_with_namespace", project)
            .put("default_branch", emptyProjects.contains(project) ? null : "main")
            .put("ci_pipeline_variables_minimum_override_role", restricted.contains(project) ? "no_one_allowed"
                : "developer"));
      } else if (path.matches("/api/v4/projects/[^/]+/statuses/[0-9a-f]+") && req.method().name().equals("POST")) {
        commitStatuses.add(body.toJsonObject().put("project", req.path().split("/")[4]).put("sha", path.split("/")[6]));
        json(req, 201, new JsonObject().put("id", commitStatuses.size()).put("status", body.toJsonObject().getString("state")));
      } else if (path.matches("/api/v4/projects/[^/]+/deployments") && req.method().name().equals("POST")) {
        createDeployment(req, decode(path.split("/")[4]), body.toJsonObject());
      } else if (path.matches("/api/v4/projects/[^/]+/deployments/\\d+") && req.method().name().equals("PUT")) {
        updateDeployment(req, decode(path.split("/")[4]), Long.parseLong(path.split("/")[6]), body.toJsonObject());
      } else if (path.matches("/api/v4/projects/[^/]+/pipelines/\\d+/cancel")) {
        String id = path.split("/")[6];
        cancels.add(id);
        statuses.put(id, "canceled");
        json(req, 200, pipeline(path.split("/")[4], id));
      } else if (path.matches("/api/v4/projects/[^/]+/pipelines/\\d+")) {
        String id = path.split("/")[6];
        reads.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        readTimes.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(System.currentTimeMillis());
        Fault f = fault.get();
        if (f != null && f.times() > 0) {
          fault.set(f.times() > 1 ? new Fault(f.status(), f.headers(), f.body(), f.times() - 1) : null);
          f.headers().forEach(req.response()::putHeader);
          req.response().setStatusCode(f.status()).end(f.body());
          return;
        }
        if (!statuses.containsKey(id)) {
          json(req, 404, new JsonObject().put("message", "404 Not found"));
          return;
        }
        int now = readsInProgress.incrementAndGet();
        mostReadsAtOnce.accumulateAndGet(now, Math::max);
        Runnable answer = () -> {
          readsInProgress.decrementAndGet();
          json(req, 200, pipeline(path.split("/")[4], id));
        };
        if (readDelayMillis > 0) {
          vertx.setTimer(readDelayMillis, t -> answer.run());
        } else {
          answer.run();
        }
      } else {
        json(req, 404, new JsonObject().put("message", "404 Not found"));
      }
    });
  }

  private void createDeployment(HttpServerRequest req, String project, JsonObject request) {
    List<String> missing = java.util.stream.Stream.of("environment", "sha", "ref", "tag", "status")
        .filter(name -> request.getValue(name) == null).toList();
    if (!missing.isEmpty()) {
      json(req, 400, new JsonObject().put("error", String.join(", ", missing.stream().map(m -> m + " is missing")
          .toList())));
      return;
    }
    if (!(request.getValue("tag") instanceof Boolean) && !List.of("true", "false").contains(String.valueOf(
        request.getValue("tag")))) {
      json(req, 400, new JsonObject().put("error", "tag is invalid"));
      return;
    }
    if (!DEPLOYMENT_STATUSES.contains(String.valueOf(request.getValue("status")))) {
      json(req, 400, new JsonObject().put("error", "status does not have a valid value"));
      return;
    }
    if (!refs.contains(request.getString("ref"))) {
      json(req, 400, new JsonObject().put("message", new JsonObject().put("ref",
          new JsonArray().add("The branch or tag does not exist"))));
      return;
    }
    long id = nextDeploymentId.incrementAndGet();
    JsonObject deployment = new JsonObject().put("id", id).put("iid", deployments.size() + 1).put("project", project)
        .put("ref", request.getString("ref")).put("sha", request.getString("sha"))
        .put("tag", Boolean.valueOf(String.valueOf(request.getValue("tag"))))
        .put("status", request.getString("status")).put("environment", request.getString("environment"));
    deployments.put(id, deployment);
    json(req, 201, deploymentJson(deployment));
  }

  private void updateDeployment(HttpServerRequest req, String project, long id, JsonObject request) {
    if (request.getValue("status") == null) {
      json(req, 400, new JsonObject().put("error", "status is missing"));
      return;
    }
    if (!DEPLOYMENT_STATUSES.contains(String.valueOf(request.getValue("status")))) {
      json(req, 400, new JsonObject().put("error", "status does not have a valid value"));
      return;
    }
    JsonObject deployment = deployments.get(id);
    if (deployment == null || !project.equals(deployment.getString("project"))) {
      json(req, 404, new JsonObject().put("message", "404 Not found"));
      return;
    }
    deployment.put("status", request.getString("status"));
    deploymentUpdates.add(new JsonObject().put("id", id).put("status", request.getString("status")));
    json(req, 200, deploymentJson(deployment));
  }

  /** The fields of GitLab's Entities::DeploymentExtended that callers read. */
  private static JsonObject deploymentJson(JsonObject deployment) {
    return new JsonObject().put("id", deployment.getLong("id")).put("iid", deployment.getInteger("iid"))
        .put("ref", deployment.getString("ref")).put("sha", deployment.getString("sha"))
        .put("status", deployment.getString("status")).put("created_at", "2026-11-27T10:00:00.000Z")
        .put("environment", new JsonObject().put("id", 9).put("name", deployment.getString("environment")));
  }

  private JsonObject pipeline(String project, String id) {
    return new JsonObject().put("id", Long.parseLong(id)).put("iid", 7).put("project_id", 42)
        .put("sha", "a91957a858320c0e17f3a0eca7cfacbff50ea29a").put("ref", "main")
        .put("status", statuses.get(id)).put("source", "api")
        .put("web_url", url() + "/" + project + "/-/pipelines/" + id)
        .put("created_at", "2026-11-27T10:00:00.000Z").put("updated_at", "2026-11-27T10:00:01.000Z");
  }

  private static void json(HttpServerRequest req, int status, JsonObject body) {
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  @Override
  public void close() {
    vertx.close();
  }
}
