package org.stellaops.orchestrator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.platform.Backoff;
import org.stellaops.orchestrator.support.InboxRows;
import org.stellaops.orchestrator.support.InboxRows.Row;
import org.stellaops.orchestrator.support.TestDatabases;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.Webhooks;

/**
 * A delivery the inbox cannot finish never holds up the others. The poison here is a stored
 * row the gateway would refuse at the door today (a NUL character): a Jenkins-style build report
 * whose build id holds a NUL (U+0000). It parses and applies, but the outcome note quoting the
 * build id cannot be stored, which fails the statement recording the outcomes of its whole
 * batch; the batch is then worked one delivery at a time.
 */
class PoisonDeliveryTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  private static final String SECRET = "s3cr3t-poison";
  private static final String HOST = "127.0.0.1:5000";
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();
  private static String registry;

  @BeforeAll
  static void start() {
    registry = Webhooks.integration(gw, "registry.distribution", "poison-registry", SECRET,
        Webhooks.registryHosts(HOST));
  }

  private static Row push(String repository, String tag, char digest, int attempts) {
    String eventId = "evt-" + UUID.randomUUID();
    return new Row(UUID.randomUUID(), registry, UUID.fromString(registry), "registry.distribution", eventId,
        InboxRows.DISTRIBUTION_TYPE,
        Webhooks.distributionPush(eventId, HOST, repository, tag, Webhooks.digest(digest)),
        attempts);
  }

  /** What {@code POST /webhooks/ci-status} stored for a build id holding a NUL, before it was refused. */
  private static Row poison(int attempts) {
    String body = "{\"buildId\":\"job#" + UUID.randomUUID() + "\\u0000\",\"status\":\"running\"}";
    return new Row(UUID.randomUUID(), "api:admin:admin", null, WebhookIngest.CI_API,
        "sha256:" + WebhookIngest.sha256Hex(body.getBytes(StandardCharsets.UTF_8)), "application/json", body,
        attempts);
  }

  /** Stores the rows in one transaction, so the inbox processor first sees them all at once. */
  private static void storeTogether(List<Row> rows, String... alsoRun) throws Exception {
    InboxRows.storeTogether(gw.dbUrl(), rows, alsoRun);
  }

  private static JsonObject delivery(UUID id) {
    return gw.get("/api/v1/webhook-deliveries/" + id, ADMIN).data();
  }

  private static int versions(String componentId, String tag) {
    return gw.get("/api/v1/components/" + componentId + "/versions?tag=" + tag, ADMIN).json()
        .getJsonArray("data").size();
  }

  @Test
  @DisplayName("a poison delivery among good ones: every good one is applied within seconds, the poison one ends failed with the reason")
  void poisonAmongGoodOnes() throws Exception {
    String component = gw.createComponent("poison-app", HOST + "/poison/app").getString("id");
    List<Row> good = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      good.add(push("poison/app", "v1." + i + ".0", (char) ('a' + i), 0));
    }
    // Seven attempts already made: the next one is its last.
    Row poison = poison(Backoff.DELIVERIES.maxAttempts() - 1);
    List<Row> rows = new ArrayList<>(good.subList(0, 2));
    rows.add(poison);
    rows.addAll(good.subList(2, 5));
    storeTogether(rows);

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      for (Row g : good) {
        assertThat(delivery(g.id()).getString("status")).as("good delivery %s", g.key()).isEqualTo("processed");
      }
    });
    for (int i = 0; i < 5; i++) {
      assertThat(versions(component, "v1." + i + ".0")).as("tag v1.%d.0", i).isEqualTo(1);
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(delivery(poison.id()).getString("status")).isEqualTo("failed"));
    JsonObject failed = delivery(poison.id());
    assertThat(failed.getInteger("attempts")).isEqualTo(Backoff.DELIVERIES.maxAttempts());
    assertThat(failed.getString("error")).contains("0x00");
    assertThat(TestDatabases.query(gw.dbUrl(), "SELECT count(*) FROM webhook_delivery_state WHERE status = 'received'"))
        .containsExactly("0");
  }

  @Test
  @DisplayName("a poison delivery with attempts left is retried later on its own while the good ones are applied")
  void poisonIsRetriedAlone() throws Exception {
    String component = gw.createComponent("retry-app", HOST + "/retry/app").getString("id");
    Row before = push("retry/app", "v2.0.0", 'c', 0);
    Row poison = poison(0);
    Row after = push("retry/app", "v2.1.0", 'd', 0);
    storeTogether(List.of(before, poison, after));

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(delivery(before.id()).getString("status")).isEqualTo("processed");
      assertThat(delivery(after.id()).getString("status")).isEqualTo("processed");
    });
    assertThat(versions(component, "v2.0.0")).isEqualTo(1);
    assertThat(versions(component, "v2.1.0")).isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      JsonObject d = delivery(poison.id());
      assertThat(d.getString("status")).isEqualTo("received");
      assertThat(d.getString("error")).contains("0x00");
      assertThat(d.getInteger("attempts")).isBetween(1, Backoff.DELIVERIES.maxAttempts() - 1);
    });
  }

  @Test
  @DisplayName("a batch rolled back by a poison delivery and worked again one delivery at a time queues each good "
      + "push's subscriber event once, with the version change the push made")
  void rolledBackBatchQueuesEventsOnce() throws Exception {
    // Nothing listens on the discard port: the queued rows are what is checked, not what is sent.
    assertThat(gw.post("/api/v1/event-subscriptions", ADMIN, new JsonObject().put("url", "http://127.0.0.1:9/events")
        .put("events", new JsonArray().add("registry.image.pushed")).put("secret", "subscriber-secret-0123456789"))
        .status()).isEqualTo(201);
    gw.createComponent("evented-app", HOST + "/evented/app");
    Row before = push("evented/app", "v4.0.0", 'f', 0);
    // At its last attempt, so it ends failed and leaves no received row to the other tests.
    Row poison = poison(Backoff.DELIVERIES.maxAttempts() - 1);
    Row after = push("evented/app", "v4.1.0", '9', 0);
    storeTogether(List.of(before, poison, after));

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(delivery(before.id()).getString("status")).isEqualTo("processed");
      assertThat(delivery(after.id()).getString("status")).isEqualTo("processed");
      assertThat(delivery(poison.id()).getString("status")).isEqualTo("failed");
    });
    // The batch's first attempt had queued both events before recording its outcomes failed.
    assertThat(TestDatabases.query(gw.dbUrl(), "SELECT (payload->'data'->>'deliveryId') || ' ' "
        + "|| (payload->'data'->>'versionChanged') FROM event_delivery WHERE event_type = 'registry.image.pushed' "
        + "AND payload->'data'->>'deliveryId' IN ('" + before.id() + "', '" + after.id() + "')"))
        .containsExactlyInAnyOrder(before.id() + " true", after.id() + " true");
  }

  @Test
  @DisplayName("a delivery that used up its attempts without a recorded outcome is failed at the next claim, not tried again")
  void spentDeliveryFailsAtClaim() throws Exception {
    String component = gw.createComponent("spent-app", HOST + "/spent/app").getString("id");
    Row spent = push("spent/app", "v3.0.0", 'e', Backoff.DELIVERIES.maxAttempts());
    storeTogether(List.of(spent),
        "UPDATE webhook_delivery SET error = 'connection reset' WHERE id = '" + spent.id() + "'");

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(delivery(spent.id()).getString("status")).isEqualTo("failed"));
    JsonObject failed = delivery(spent.id());
    assertThat(failed.getInteger("attempts")).isEqualTo(Backoff.DELIVERIES.maxAttempts());
    assertThat(failed.getString("error"))
        .isEqualTo("gave up after 8 attempts without a recorded outcome (last error: connection reset)");
    assertThat(versions(component, "v3.0.0")).isZero();
  }
}
