package org.stellaops.orchestrator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.platform.AppConfig;
import org.stellaops.orchestrator.support.TestDatabases;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.Webhooks;

/** When PostgreSQL stops keeping up, the gateway sheds load with 503 instead of queueing without bound. */
class BackpressureTest {

  @Test
  @DisplayName("with the inbox table locked, deliveries past the queue limit get 503 + Retry-After; every 202 is stored")
  void stalledDatabase() throws Exception {
    try (TestGateway gw = TestGateway.start(c -> c.withInbox(new AppConfig.Inbox(30, 2)))) {
      String integration = Webhooks.integration(gw, "registry.distribution", "stalled", "s",
          Webhooks.registryHosts("127.0.0.1:5000"));
      HttpClient http = HttpClient.newHttpClient();
      List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
      try (Connection lock = TestDatabases.connect(gw.dbUrl()); Statement st = lock.createStatement()) {
        lock.setAutoCommit(false);
        st.execute("LOCK TABLE webhook_delivery IN SHARE ROW EXCLUSIVE MODE");
        for (int i = 0; i < 30; i++) {
          String body = Webhooks.distributionPush("stall-" + i, "127.0.0.1:5000", "demo/stall", "v" + i,
              "sha256:" + "e".repeat(64));
          answers.add(http.sendAsync(gw.request("/api/v1/webhooks/registry/" + integration, null)
              .header("Content-Type", "application/json").header("Authorization", "Bearer s")
              .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> answers.stream().filter(CompletableFuture::isDone).count() >= 20);
        assertThat(answers.stream().filter(a -> !a.isDone()).count())
            .as("the writers' in-flight and queued deliveries wait for the database").isBetween(1L, 10L);
        HttpResponse<String> refused = answers.stream().filter(CompletableFuture::isDone).map(CompletableFuture::join)
            .findFirst().orElseThrow();
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).contains("1");
        assertThat(new JsonObject(refused.body()).getJsonObject("error").getString("code")).isEqualTo("BACKPRESSURE");
        lock.rollback();
      }
      List<String> acknowledged = new ArrayList<>();
      for (var a : answers) {
        HttpResponse<String> r = a.get();
        assertThat(r.statusCode()).isIn(202, 503);
        if (r.statusCode() == 202) {
          acknowledged.add(new JsonObject(r.body()).getJsonObject("data").getString("deliveryId"));
        }
      }
      assertThat(acknowledged).isNotEmpty();
      assertThat(TestDatabases.query(gw.dbUrl(), "SELECT id FROM webhook_delivery")).containsAll(acknowledged);
    }
  }
}
