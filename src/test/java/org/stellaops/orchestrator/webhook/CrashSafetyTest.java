package org.stellaops.orchestrator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.support.TestDatabases;
import org.stellaops.orchestrator.support.Webhooks;

/**
 * Durable before acknowledged: the gateway runs as its own process, is killed with SIGKILL
 * while webhooks pour in, and is started again. Every delivery that was answered 2xx must be
 * in the inbox and get processed.
 */
class CrashSafetyTest {

  private static final String ADMIN = "crash-admin-token-0123456789abcdef0123";
  private static final String SECRET = "crash-secret";
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  @DisplayName("after SIGKILL mid-load and a restart, every delivery that got a 2xx is stored and processed")
  void acknowledgedDeliveriesSurviveSigkill() throws Exception {
    String dbUrl = TestDatabases.freshDatabase();
    Path dataDir = Files.createTempDirectory("stella-crash");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String base = "http://127.0.0.1:" + port;
    Process gateway = startGateway(dbUrl, dataDir, port);
    String integration;
    try {
      awaitReady(base);
      integration = post(base + "/api/v1/integrations", new JsonObject().put("type", "registry.distribution")
          .put("name", "crash")
          .put("config", new JsonObject().put("registryHosts", new io.vertx.core.json.JsonArray().add("127.0.0.1:5000")))
          .put("credentials", new JsonObject().put("webhookSecret", SECRET)).encode(),
          "Bearer " + ADMIN).body();
      integration = new JsonObject(integration).getJsonObject("data").getString("id");
      post(base + "/api/v1/components", new JsonObject().put("name", "crash-app")
          .put("imageRepository", "127.0.0.1:5000/crash/app").encode(), "Bearer " + ADMIN);

      Set<String> acknowledged = ConcurrentHashMap.newKeySet();
      AtomicBoolean killed = new AtomicBoolean();
      AtomicInteger counter = new AtomicInteger();
      String url = base + "/api/v1/webhooks/registry/" + integration;
      ExecutorService senders = Executors.newFixedThreadPool(8);
      for (int t = 0; t < 8; t++) {
        senders.submit(() -> {
          while (!killed.get() || counter.get() < 50) {
            String id = "crash-" + counter.incrementAndGet();
            try {
              var r = post(url, Webhooks.distributionPush(id, "127.0.0.1:5000", "crash/app", "t" + id,
                  "sha256:" + WebhookIngest.sha256Hex(id.getBytes())), "Bearer " + SECRET);
              if (r.statusCode() / 100 == 2) {
                acknowledged.add(id);
              }
            } catch (IOException e) {
              if (killed.get()) {
                return null;
              }
            }
          }
          return null;
        });
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 300);
      gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      killed.set(true);
      senders.shutdown();
      assertThat(senders.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      assertThat(gateway.exitValue()).as("killed by SIGKILL").isEqualTo(137);

      List<String> stored = TestDatabases.query(dbUrl, "SELECT delivery_key FROM webhook_delivery");
      assertThat(stored).containsAll(acknowledged);

      gateway = startGateway(dbUrl, dataDir, port);
      awaitReady(base);
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(TestDatabases.query(dbUrl,
          "SELECT count(*) FROM webhook_delivery_state WHERE status = 'received'")).containsExactly("0"));
      List<String> processed = TestDatabases.query(dbUrl,
          "SELECT delivery_key FROM webhook_delivery_state WHERE status = 'processed'");
      assertThat(processed).containsAll(acknowledged);
      List<String> tags = TestDatabases.query(dbUrl, "SELECT tag FROM version_entry");
      assertThat(tags).containsAll(acknowledged.stream().map(id -> "t" + id).toList());
    } finally {
      gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private Process startGateway(String dbUrl, Path dataDir, int port) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        "org.stellaops.orchestrator.Main");
    pb.environment().put("STELLA_DB_URL", dbUrl);
    pb.environment().put("STELLA_HTTP_PORT", String.valueOf(port));
    pb.environment().put("STELLA_ADMIN_TOKEN", ADMIN);
    pb.environment().put("STELLA_DATA_DIR", dataDir.toString());
    pb.environment().put("STELLA_HTTP_INSTANCES", "2");
    // Deliveries the killed process had claimed come back when their lease ends.
    pb.environment().put("STELLA_INBOX_LEASE_SECONDS", "3");
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(new File(dataDir.toFile(), "gateway.log")));
    return pb.start();
  }

  private void awaitReady(String base) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
        .until(() -> http.send(HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
  }

  private HttpResponse<String> post(String url, String body, String authorization) throws IOException {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
          .header("Content-Type", "application/json").header("Authorization", authorization)
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
