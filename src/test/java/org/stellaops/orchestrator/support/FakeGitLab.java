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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A GitLab REST v4 stand-in on a random loopback port, shaped like api-facts.md §1: create a
 * pipeline ({@code POST /api/v4/projects/:id/pipeline} → 201), read it, cancel it (200 in any
 * state), {@code GET /api/v4/user}; {@code PRIVATE-TOKEN} is required. Tests move pipelines
 * between states and can make the next answers fail.
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

  public FakeGitLab() {
    try {
      server = vertx.createHttpServer().requestHandler(this::handle).listen(0)
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
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
          json(req, 400, new JsonObject().put("message", new JsonObject().put("base", new JsonArray().add("Reference not found"))));
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
      } else if (path.matches("/api/v4/projects/[^/]+/statuses/[0-9a-f]+") && req.method().name().equals("POST")) {
        commitStatuses.add(body.toJsonObject().put("project", req.path().split("/")[4]).put("sha", path.split("/")[6]));
        json(req, 201, new JsonObject().put("id", commitStatuses.size()).put("status", body.toJsonObject().getString("state")));
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
