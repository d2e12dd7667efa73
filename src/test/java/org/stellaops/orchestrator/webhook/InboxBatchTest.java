package org.stellaops.orchestrator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.support.InboxRows;
import org.stellaops.orchestrator.support.InboxRows.Row;
import org.stellaops.orchestrator.support.TestDatabases;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.Webhooks;

/**
 * The inbox processor works deliveries a batch at a time, in one transaction: the version-map
 * writes of a batch go out together, and must still mean what the deliveries, one after another,
 * say. Rows are written straight into the inbox (as the gateway stores them) so that a test
 * controls which deliveries meet in one batch and in which order transactions commit.
 */
class InboxBatchTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();
  /** The integration the rows come from; they are written, not sent, so its secret is never used. */
  private static String registry;
  /** The registry host the rows' image repositories name. */
  private static final String HOST = "127.0.0.1:5000";

  @BeforeAll
  static void start() {
    registry = Webhooks.integration(gw, "registry.distribution", "batch-registry", "unused-secret",
        Webhooks.registryHosts(HOST));
  }

  private static Row push(String repository, String tag, char digest) {
    String eventId = "evt-" + UUID.randomUUID();
    return InboxRows.distribution(registry, eventId,
        Webhooks.distributionPush(eventId, HOST, repository, tag, Webhooks.digest(digest)));
  }

  private static Row delete(String repository, String tag) {
    String eventId = "evt-" + UUID.randomUUID();
    return InboxRows.distribution(registry, eventId, Webhooks.distributionDelete(eventId, HOST, repository, tag));
  }

  private static String status(UUID delivery) {
    return gw.get("/api/v1/webhook-deliveries/" + delivery, ADMIN).data().getString("status");
  }

  private static JsonArray versions(String componentId, String tag) {
    return gw.get("/api/v1/components/" + componentId + "/versions?tag=" + tag, ADMIN).json().getJsonArray("data");
  }

  /** The tag's moves, oldest first. */
  private static List<String> moves(String componentId, String tag) {
    JsonArray newestFirst = gw.get("/api/v1/components/" + componentId + "/versions/" + tag + "/history", ADMIN)
        .json().getJsonArray("data");
    List<String> moves = new ArrayList<>();
    newestFirst.forEach(m -> moves.add(0, ((JsonObject) m).getString("previousDigest") + " -> "
        + ((JsonObject) m).getString("digest")));
    return moves;
  }

  @Test
  @DisplayName("a delivery whose transaction commits late is applied, and the pushes stored after it wait for it, so the tag moves in order")
  void lateCommitIsAppliedInOrder() throws Exception {
    String component = gw.createComponent("late-app", HOST + "/late/app").getString("id");
    Row older = push("late/app", "v1", 'a');
    Row newer = push("late/app", "v1", 'b');
    try (Connection slow = TestDatabases.connect(gw.dbUrl())) {
      slow.setAutoCommit(false);
      // The older row's transaction starts first and stays open ...
      InboxRows.insert(slow, List.of(older));
      InboxRows.storeTogether(gw.dbUrl(), List.of(newer));
      // ... so the newer one, committed, is not applied before it: it could be moved past.
      await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
          .until(() -> "received".equals(status(newer.id())));
      slow.commit();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> "processed".equals(status(older.id()))
        && "processed".equals(status(newer.id())));
    String a = Webhooks.digest('a');
    String b = Webhooks.digest('b');
    assertThat(versions(component, "v1").getJsonObject(0).getString("digest")).isEqualTo(b);
    assertThat(moves(component, "v1")).containsExactly("null -> " + a, a + " -> " + b);
  }

  @Test
  @DisplayName("pushes of one tag in one batch: the map ends at the last, the history lists each move in order, a repeat adds none")
  void movesWithinOneBatch() throws Exception {
    String component = gw.createComponent("moves-app", HOST + "/moves/app").getString("id");
    List<Row> rows = List.of(push("moves/app", "v1", 'a'), push("moves/app", "v1", 'b'),
        push("moves/app", "v1", 'b'), push("moves/app", "v1", 'c'));
    InboxRows.storeTogether(gw.dbUrl(), rows);

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(rows).allSatisfy(r -> assertThat(status(r.id())).isEqualTo("processed")));
    String a = Webhooks.digest('a');
    String b = Webhooks.digest('b');
    String c = Webhooks.digest('c');
    assertThat(versions(component, "v1").getJsonObject(0).getString("digest")).isEqualTo(c);
    assertThat(moves(component, "v1")).containsExactly("null -> " + a, a + " -> " + b, b + " -> " + c);
  }

  @Test
  @DisplayName("a push and then a delete of the tag in one batch leave the tag deleted; a delete and then a push leave it pushed")
  void deleteKeepsItsPlaceInTheBatch() throws Exception {
    String component = gw.createComponent("order-app", HOST + "/order/app").getString("id");
    List<Row> rows = List.of(push("order/app", "gone", 'd'), delete("order/app", "gone"),
        push("order/app", "back", 'e'), delete("order/app", "back"), push("order/app", "back", 'f'));
    InboxRows.storeTogether(gw.dbUrl(), rows);

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(rows).allSatisfy(r -> assertThat(status(r.id())).isEqualTo("processed")));
    assertThat(versions(component, "gone")).isEmpty();
    assertThat(versions(component, "back")).hasSize(1);
    assertThat(versions(component, "back").getJsonObject(0).getString("digest")).isEqualTo(Webhooks.digest('f'));
  }

  @Test
  @DisplayName("an applied image push is not written again: the log's position is its outcome, reported as processed with its time")
  void appliedPushIsNotRewritten() throws Exception {
    gw.createComponent("quiet-app", HOST + "/quiet/app");
    Row row = push("quiet/app", "v1", 'c');
    InboxRows.storeTogether(gw.dbUrl(), List.of(row));

    await().atMost(Duration.ofSeconds(10)).until(() -> "processed".equals(status(row.id())));
    JsonObject shown = gw.get("/api/v1/webhook-deliveries/" + row.id(), ADMIN).data();
    assertThat(shown.getString("processedAt")).isNotNull();
    assertThat(shown.getInteger("attempts")).isEqualTo(1);
    // Still the version its insert wrote: same transaction, stored status unchanged.
    assertThat(TestDatabases.query(gw.dbUrl(), "SELECT status || ' ' || (xmin::text::bigint = tx % 4294967296) "
        + "FROM webhook_delivery WHERE id = '" + row.id() + "'")).containsExactly("received true");
  }

  @Test
  @DisplayName("a replay of a delivery still waiting in the log leaves it there, to be applied once, in its turn")
  void replayOfAWaitingDeliveryLeavesItInTheLog() throws Exception {
    String component = gw.createComponent("waiting-app", HOST + "/waiting/app").getString("id");
    Row older = push("waiting/app", "v1", 'd');
    Row newer = push("waiting/app", "v1", 'e');
    try (Connection slow = TestDatabases.connect(gw.dbUrl())) {
      slow.setAutoCommit(false);
      InboxRows.insert(slow, List.of(older));
      InboxRows.storeTogether(gw.dbUrl(), List.of(newer));
      assertThat(gw.post("/api/v1/webhook-deliveries/" + newer.id() + "/replay", ADMIN, "").status()).isEqualTo(202);
      // Put on the retry path, it would be applied now, before the older push of its tag.
      await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(4))
          .until(() -> "received".equals(status(newer.id())));
      slow.commit();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> "processed".equals(status(newer.id())));
    assertThat(moves(component, "v1")).containsExactly("null -> " + Webhooks.digest('d'),
        Webhooks.digest('d') + " -> " + Webhooks.digest('e'));
  }
}
