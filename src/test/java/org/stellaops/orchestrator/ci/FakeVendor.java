package org.stellaops.orchestrator.ci;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A CI vendor's HTTP API as far as one test needs it: replies scripted per method and raw (still URL-encoded)
 * path, and every request recorded for the test to inspect. Unscripted requests get a 418 so they stand out.
 *
 * <p>A connector test registers one per test ({@code @RegisterExtension final FakeVendor github =
 * FakeVendor.perTest();}): each test gets its own Vert.x, the fake listening on it, and a {@link #client()}
 * for the connector under test, all closed after the test.
 */
public final class FakeVendor implements BeforeEachCallback, AfterEachCallback {

  /** One request as the server saw it. {@code path} is raw: {@code grp%2Fproj} stays encoded. */
  public record Recorded(HttpMethod method, String path, MultiMap query, MultiMap headers, String body) {

    public String header(String name) {
      return headers.get(name);
    }

    public String param(String name) {
      return query.get(name);
    }

    public JsonObject json() {
      return new JsonObject(body);
    }

    /** The body decoded as {@code application/x-www-form-urlencoded}. */
    public MultiMap form() {
      MultiMap form = MultiMap.caseInsensitiveMultiMap();
      for (String pair : body.split("&")) {
        String[] kv = pair.split("=", 2);
        form.add(decode(kv[0]), kv.length > 1 ? decode(kv[1]) : "");
      }
      return form;
    }

    private static String decode(String s) {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
  }

  /** A scripted answer. */
  public record Reply(int status, Map<String, String> headers, String body) {

    public static Reply status(int status) {
      return new Reply(status, Map.of(), "");
    }

    public static Reply json(int status, JsonObject body) {
      return new Reply(status, Map.of("Content-Type", "application/json"), body.encode());
    }

    public static Reply text(int status, String body) {
      return new Reply(status, Map.of("Content-Type", "text/plain"), body);
    }

    public Reply header(String name, String value) {
      var copy = new java.util.LinkedHashMap<>(headers);
      copy.put(name, value);
      return new Reply(status, Map.copyOf(copy), body);
    }
  }

  private static final Reply NEVER = new Reply(-1, Map.of(), "");

  private final Map<String, Deque<Reply>> routes = new ConcurrentHashMap<>();
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();
  private Vertx vertx;
  private HttpServer server;
  private WebClient client;

  private FakeVendor() {}

  /** A fake started before each test and closed after it, for a {@code @RegisterExtension} instance field. */
  public static FakeVendor perTest() {
    return new FakeVendor();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    vertx = Vertx.vertx();
    server = vertx.createHttpServer().requestHandler(this::handle);
    Async.result(server.listen(0));
    // Default options, which follow redirects: a connector that must not follow one turns that
    // off per request.
    client = WebClient.create(vertx);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    client.close();
    close();
    Async.result(vertx.close());
  }

  /** The HTTP client the connector under test calls the fake with. */
  public WebClient client() {
    return client;
  }

  public String url() {
    return "http://localhost:" + server.actualPort();
  }

  /** Answers {@code method path} with the replies in turn; the last one repeats. */
  public FakeVendor stub(HttpMethod method, String path, Reply... replies) {
    routes.put(method.name() + " " + path, new ArrayDeque<>(List.of(replies)));
    return this;
  }

  /** Never answers {@code method path}: for timeouts. */
  public FakeVendor hang(HttpMethod method, String path) {
    return stub(method, path, NEVER);
  }

  /** Stops listening, so the vendor is unreachable from then on. */
  public void close() {
    Async.result(server.close());
  }

  public List<Recorded> requests() {
    return List.copyOf(requests);
  }

  public Recorded last() {
    return requests.get(requests.size() - 1);
  }

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      MultiMap query = MultiMap.caseInsensitiveMultiMap().addAll(request.params());
      MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(request.headers());
      requests.add(new Recorded(request.method(), request.path(), query, headers, body.toString()));
      Reply reply = next(request.method().name() + " " + request.path());
      if (reply == NEVER) {
        return;
      }
      var response = request.response().setStatusCode(reply.status());
      reply.headers().forEach(response::putHeader);
      response.end(reply.body());
    });
  }

  private Reply next(String key) {
    Deque<Reply> replies = routes.get(key);
    if (replies == null) {
      return Reply.text(418, "no reply scripted for " + key);
    }
    synchronized (replies) {
      return replies.size() > 1 ? replies.poll() : replies.peek();
    }
  }

  /** Waiting for a future from the test thread (never from an event loop). */
  public static final class Async {

    private Async() {}

    public static <T> T result(Future<T> future) {
      try {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        throw new AssertionError("expected success, failed with " + e.getCause(), e.getCause());
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }

    /** The failure of a future that must fail. */
    public static Throwable failure(Future<?> future) {
      try {
        Object value = future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        throw new AssertionError("expected a failure, succeeded with " + value);
      } catch (ExecutionException e) {
        return e.getCause();
      } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
        throw new AssertionError(e);
      }
    }
  }
}
