package org.stellaops.orchestrator.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A loopback HTTP server that records every request and answers through a function the test
 * gives: a stand-in for a deploy target or for GitHub's REST API.
 */
public final class RecordingServer implements AutoCloseable {

  public record Request(String method, String path, JsonObject headers, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  /** What the server answers; {@code headers} are added to the response (e.g. a redirect's Location). */
  public record Answer(int status, String body, Map<String, String> headers) {
    public Answer(int status, String body) {
      this(status, body, Map.of());
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  public RecordingServer(Function<Request, Answer> answers) {
    try {
      server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
        JsonObject headers = new JsonObject();
        req.headers().forEach(h -> headers.put(h.getKey().toLowerCase(), h.getValue()));
        Request r = new Request(req.method().name(), req.path(), headers, body.toString());
        requests.add(r);
        Answer a = answers.apply(r);
        req.response().setStatusCode(a.status()).putHeader("Content-Type", "application/json");
        a.headers().forEach(req.response()::putHeader);
        req.response().end(a.body());
      })).listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Answers every request 200 {@code {"ok":true}}: a deploy target that accepts every deployment. */
  public static RecordingServer acceptingAll() {
    return new RecordingServer(r -> new Answer(200, "{\"ok\":true}"));
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  public List<Request> requests() {
    return requests;
  }

  @Override
  public void close() {
    vertx.close();
  }
}
