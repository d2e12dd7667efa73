package org.stellaops.orchestrator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.platform.AppConfig;
import org.stellaops.orchestrator.support.InboxRows;
import org.stellaops.orchestrator.support.TestDatabases;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.Webhooks;

/**
 * The inbox log's order is transaction ids, which a restore from a logical dump does not carry
 * over: the restored database hands out ids far below the log's. Simulated here the other way
 * round (the same gap): the stored ids and positions are moved far ahead of the server's counter
 * while the gateway is stopped.
 */
class InboxRestoreTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  private static final String HOST = "127.0.0.1:5000";
  private static final long AHEAD = 1_000_000_000_000L;

  private static InboxRows.Row push(String registry, String tag, char digest) {
    String eventId = "evt-" + UUID.randomUUID();
    return InboxRows.distribution(registry, eventId,
        Webhooks.distributionPush(eventId, HOST, "restored/app", tag, Webhooks.digest(digest)));
  }

  private static String status(TestGateway gw, InboxRows.Row row) {
    return gw.get("/api/v1/webhook-deliveries/" + row.id(), ADMIN).data().getString("status");
  }

  @Test
  @DisplayName("after a restore that set the transaction counter back, deliveries applied stay processed, and those waiting or stored since are applied")
  void restoredLogIsRebased() throws Exception {
    String db = TestDatabases.freshDatabase();
    AppConfig config = TestGateway.baseConfig().withDbUrl(db).withAdminToken(ADMIN);
    String registry;
    String component;
    InboxRows.Row applied;
    try (TestGateway first = TestGateway.start(config, db)) {
      registry = Webhooks.integration(first, "registry.distribution", "restored-registry", "unused-secret",
          Webhooks.registryHosts(HOST));
      component = first.createComponent("restored-app", HOST + "/restored/app").getString("id");
      applied = push(registry, "v1", 'a');
      InboxRows.storeTogether(db, List.of(applied));
      await().atMost(Duration.ofSeconds(10)).until(() -> "processed".equals(status(first, applied)));
    }
    InboxRows.Row waiting = push(registry, "v2", 'b');
    InboxRows.storeTogether(db, List.of(waiting),
        "UPDATE webhook_delivery SET tx = tx + " + AHEAD + " WHERE tx IS NOT NULL",
        "UPDATE inbox_partition SET pos_tx = pos_tx + " + AHEAD + " WHERE pos_seq > 0",
        "UPDATE inbox_progress SET tx = tx + " + AHEAD);

    try (TestGateway second = TestGateway.start(config, db)) {
      InboxRows.Row since = push(registry, "v3", 'c');
      InboxRows.storeTogether(db, List.of(since));
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(List.of(applied, waiting, since))
          .allSatisfy(r -> assertThat(status(second, r)).isEqualTo("processed")));
      JsonArray versions = second.get("/api/v1/components/" + component + "/versions", ADMIN).json()
          .getJsonArray("data");
      assertThat(versions.stream().map(v -> ((JsonObject) v).getString("tag") + " " + ((JsonObject) v)
          .getString("digest"))).containsExactlyInAnyOrder("v1 " + Webhooks.digest('a'),
          "v2 " + Webhooks.digest('b'), "v3 " + Webhooks.digest('c'));
      assertThat(TestDatabases.query(db, "SELECT count(*) FROM version_history WHERE component_id = '" + component
          + "'")).as("the delivery applied before the restore was not applied again").containsExactly("3");
    }
  }
}
