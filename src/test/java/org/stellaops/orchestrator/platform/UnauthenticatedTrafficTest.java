package org.stellaops.orchestrator.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.support.RawHttp;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.Webhooks;

/**
 * Traffic without a token or secret must not make the gateway hold memory or connections:
 * the integration cache holds only integrations that exist, bearer routes refuse before
 * reading a body, and idle connections are closed after {@code http.idleTimeoutSeconds}.
 */
class UnauthenticatedTrafficTest {

  private static final int IDLE_TIMEOUT_SECONDS = 1;
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass(c -> c.withHttpIdleTimeoutSeconds(IDLE_TIMEOUT_SECONDS));

  @Test
  @DisplayName("10,000 webhooks to unknown integration ids leave the integration cache as it was")
  void unknownIntegrationsAreNotCached() {
    String known = Webhooks.integration(gw, "registry.distribution", "cached-registry", "cache-secret",
        new JsonObject().put("registryHosts", new io.vertx.core.json.JsonArray().add("registry.example.com")));
    Webhooks.send(gw, "/api/v1/webhooks/registry/" + known, "{\"events\":[]}",
        java.util.Map.of("Authorization", "Bearer cache-secret"));
    assertThat(cacheEntries()).as("a known integration is cached").isEqualTo(1.0);

    HttpClient client = HttpClient.newHttpClient();
    Semaphore inFlight = new Semaphore(32);
    List<CompletableFuture<Integer>> answers = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      inFlight.acquireUninterruptibly();
      HttpRequest request = HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/api/v1/webhooks/registry/" + UUID.randomUUID()))
          .header("Content-Type", "application/json").header("Authorization", "Bearer guess")
          .POST(HttpRequest.BodyPublishers.ofString("{\"events\":[]}")).build();
      answers.add(client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
          .thenApply(HttpResponse::statusCode).whenComplete((s, e) -> inFlight.release()));
    }
    assertThat(answers.stream().map(CompletableFuture::join).distinct().toList()).containsExactly(404);
    assertThat(cacheEntries()).isEqualTo(1.0);
  }

  @Test
  @DisplayName("a bearer route answers 401 at once to a caller without a token, without waiting for its 1 MB body")
  void bodyIsNotReadBeforeTheToken() {
    String headers = "POST /api/v1/releases HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: 1000000\r\n\r\n";
    RawHttp.Answer withoutToken = RawHttp.exchange(gw.app().port(), headers + "{\"name\": \"only-a-first-chunk", 5_000);
    RawHttp.Answer wrongToken = RawHttp.exchange(gw.app().port(), headers.replace("Host:",
        "Authorization: Bearer not-a-token\r\nHost:") + "{\"name\": \"only-a-first-chunk", 5_000);

    for (RawHttp.Answer answer : List.of(withoutToken, wrongToken)) {
      assertThat(answer.timedOut()).as("answered before the body arrived: %s", answer.text()).isFalse();
      assertThat(answer.status()).isEqualTo(401);
      assertThat(new JsonObject(answer.body()).getJsonObject("error").getString("code")).isEqualTo("UNAUTHORIZED");
      assertThat(answer.closedByServer()).as("the unread rest of the body is not waited for").isTrue();
    }
  }

  @Test
  @DisplayName("an idle connection, and one that stops in the middle of its headers, is closed after http.idleTimeoutSeconds")
  void idleConnectionsAreClosed() {
    long started = System.nanoTime();
    RawHttp.Answer idle = RawHttp.exchange(gw.app().port(), "", 15_000);
    RawHttp.Answer halfSent = RawHttp.exchange(gw.app().port(), "GET /health/live HTTP/1.1\r\nHost: 127.0", 15_000);
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(idle.closedByServer()).isTrue();
    assertThat(halfSent.closedByServer()).isTrue();
    assertThat(took).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  @DisplayName("a keep-alive connection still serves request after request within the idle timeout")
  void keepAliveStillWorks() {
    String twoRequests = "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".repeat(2);
    RawHttp.Answer answer = RawHttp.exchange(gw.app().port(), twoRequests, 15_000);
    assertThat(answer.text().split("HTTP/1.1 200", -1)).hasSize(3);
  }

  @Test
  @DisplayName("a request without a body refused with 401 leaves its keep-alive connection serving the next request")
  void refusedRequestWithoutBodyKeepsTheConnection() {
    String refusedThenServed = "GET /api/v1/components HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        + "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    RawHttp.Answer answer = RawHttp.exchange(gw.app().port(), refusedThenServed, 5_000);
    assertThat(answer.timedOut()).isFalse();
    assertThat(answer.text()).startsWith("HTTP/1.1 401").contains("HTTP/1.1 200");
  }

  private static double cacheEntries() {
    return gw.get("/metrics", null).body().lines()
        .filter(l -> l.startsWith("stella_integration_cache_entries"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst().orElseThrow();
  }
}
