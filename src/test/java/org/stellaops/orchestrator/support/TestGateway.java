package org.stellaops.orchestrator.support;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.stellaops.orchestrator.Application;
import org.stellaops.orchestrator.egress.Egress;
import org.stellaops.orchestrator.platform.AppConfig;
import org.stellaops.orchestrator.platform.ConfigLoader;

/**
 * The real gateway on a random port against a real PostgreSQL, plus a small HTTP client
 * speaking to it over real sockets. One per test class: {@link #perClass} for a
 * {@code @RegisterExtension static final} field, {@link #start} where a test starts and stops
 * gateways itself.
 */
public final class TestGateway implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

  public static final String ADMIN_TOKEN = "test-admin-token-0123456789abcdef";
  public static final String LOOPBACK_NETWORKS = "127.0.0.0/8,::1/128";

  /**
   * A scheduler ticking every 200 ms instead of every second, for tests that wait on polls,
   * step timeouts and retries.
   */
  public static final UnaryOperator<AppConfig> FAST_SCHEDULER =
      c -> c.withScheduler(new AppConfig.Scheduler(200, 500, 32));

  /** How {@link #beforeAll} configures a {@link #perClass} gateway; null for one started at once. */
  private final UnaryOperator<AppConfig> customize;
  private Application app;
  private String dbUrl;
  /**
   * HTTP/1.1, as curl and CI systems call the gateway. The JDK client's default is to try a
   * cleartext upgrade to HTTP/2, whose reused connections it sometimes reports closed
   * ("EOF reached while reading") after other clients' traffic.
   */
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private TestGateway(Application app, String dbUrl) {
    this.customize = null;
    this.app = app;
    this.dbUrl = dbUrl;
  }

  private TestGateway(UnaryOperator<AppConfig> customize) {
    this.customize = customize;
  }

  /**
   * The gateway of one test class, on a fresh database with the test admin token: started before
   * the class's {@code @BeforeAll} methods run, stopped after its {@code @AfterAll} methods.
   */
  public static TestGateway perClass() {
    return perClass(c -> c);
  }

  /** {@link #perClass()} with {@code customize} applied to the test configuration. */
  public static TestGateway perClass(UnaryOperator<AppConfig> customize) {
    return new TestGateway(customize);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (customize == null) {
      throw new IllegalStateException("a gateway from start() is already running: register perClass() instead");
    }
    dbUrl = TestDatabases.freshDatabase();
    app = launch(customize.apply(baseConfig().withDbUrl(dbUrl).withAdminToken(ADMIN_TOKEN)), null);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    // Nothing to stop when the start itself failed (that failure is already reported).
    if (app != null) {
      close();
      app = null;
    }
  }

  /** The gateway on a fresh database with the test admin token. */
  public static TestGateway start() {
    return start(c -> c);
  }

  public static TestGateway start(UnaryOperator<AppConfig> customize) {
    String dbUrl = TestDatabases.freshDatabase();
    return start(customize.apply(baseConfig().withDbUrl(dbUrl).withAdminToken(ADMIN_TOKEN)), dbUrl);
  }

  public static TestGateway start(AppConfig config, String dbUrl) {
    return start(config, dbUrl, null);
  }

  /** The gateway resolving outbound host names with {@code resolver} (null: the system resolver). */
  public static TestGateway start(AppConfig config, String dbUrl, Egress.Resolver resolver) {
    return new TestGateway(launch(config, resolver), dbUrl);
  }

  private static Application launch(AppConfig config, Egress.Resolver resolver) {
    try {
      return Application.start(config, resolver).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("gateway did not start", e);
    }
  }

  /**
   * Defaults from conf/application.yaml with no environment, a random port, a temporary data dir,
   * and loopback allowed as an egress destination (the fakes' address).
   */
  public static AppConfig baseConfig() {
    try {
      Path dataDir = Files.createTempDirectory("stella-test-data");
      Map<String, String> env = new HashMap<>();
      env.put("STELLA_HTTP_INSTANCES", "2");
      // Every fake vendor listens on loopback, which the egress policy denies by default.
      env.put("STELLA_EGRESS_ALLOWED_NETWORKS", LOOPBACK_NETWORKS);
      return new ConfigLoader(env, Optional.empty()).load().withHttpPort(0).withDataDir(dataDir);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public Application app() {
    return app;
  }

  public String dbUrl() {
    return dbUrl;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + app.port();
  }

  public Resp get(String path, String token) {
    return send(request(path, token).GET().build());
  }

  public Resp delete(String path, String token) {
    return send(request(path, token).DELETE().build());
  }

  public Resp post(String path, String token, Object body) {
    return send(request(path, token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(String.valueOf(body))).build());
  }

  public Resp patch(String path, String token, Object body) {
    return send(request(path, token).header("Content-Type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString(String.valueOf(body))).build());
  }

  public HttpRequest.Builder request(String path, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  public Resp send(HttpRequest request) {
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Resp(r.statusCode(), r.body(), r.headers().map());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Creates a component with the given token and returns its id. */
  public String createComponentWith(String token, String name, String imageRepository) {
    Resp r = post("/api/v1/components", token,
        new JsonObject().put("name", name).put("imageRepository", imageRepository));
    if (r.status() != 201) {
      throw new IllegalStateException("component not created: " + r);
    }
    return r.data().getString("id");
  }

  /** Creates a component through the API and returns its JSON. */
  public JsonObject createComponent(String name, String imageRepository) {
    Resp r = post("/api/v1/components", ADMIN_TOKEN,
        new JsonObject().put("name", name).put("imageRepository", imageRepository));
    if (r.status() != 201) {
      throw new IllegalStateException("component not created: " + r);
    }
    return r.data();
  }

  /** Creates a service account through the API and returns the create answer (with its token). */
  public JsonObject createServiceAccount(JsonObject body) {
    Resp r = post("/api/v1/service-accounts", ADMIN_TOKEN, body);
    if (r.status() != 201) {
      throw new IllegalStateException("service account not created: " + r);
    }
    return r.data();
  }

  /** Stops the gateway; fails if Vert.x reported a blocked event loop while it ran. */
  @Override
  public void close() {
    try {
      app.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("gateway did not stop", e);
    }
    List<String> blocked = BlockedThreadAlarm.warnings();
    if (!blocked.isEmpty()) {
      BlockedThreadAlarm.clear();
      throw new AssertionError("an event loop was blocked: " + blocked);
    }
  }

  /** An HTTP answer: status, raw body, headers (names lower-case). */
  public record Resp(int status, String body, Map<String, java.util.List<String>> headers) {

    public JsonObject json() {
      return new JsonObject(body);
    }

    public JsonObject data() {
      return json().getJsonObject("data");
    }

    public JsonObject error() {
      return json().getJsonObject("error");
    }

    public String header(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0)).findFirst().orElse(null);
    }
  }
}
