package org.stellaops.orchestrator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.support.TestDatabases;

/**
 * Migrations of the inbox on rows written before them: V10 (duplicates of old deliveries are still
 * duplicates), V26 (deliveries still waiting are not lost when the inbox becomes a log).
 */
class InboxMigrationTest {

  private static final String INSERT = "INSERT INTO webhook_delivery (id, source, integration_type, delivery_key, "
      + "status, body) VALUES (gen_random_uuid(), '%s', 'registry.distribution', '%s', 'received', '\\x7b7d'::bytea)";

  @Test
  @DisplayName("V10 keys every existing delivery by a hash of (source, key), so a repeat of an old delivery is refused")
  void oldDeliveriesKeepTheirDedup() throws SQLException {
    String db = TestDatabases.databaseAtVersion("9");
    TestDatabases.execute(db, INSERT.formatted("src-a", "evt-1"));
    TestDatabases.execute(db, INSERT.formatted("src-a", "evt-2"));

    TestDatabases.migrate(db);

    assertThat(TestDatabases.query(db, "SELECT count(*) FROM webhook_delivery "
        + "WHERE dedup_key = md5(length(source)::text || ':' || source || delivery_key)::uuid")).containsExactly("2");
    assertThatThrownBy(() -> TestDatabases.execute(db, INSERT.formatted("src-a", "evt-1")))
        .hasMessageContaining("webhook_delivery_dedup_key");
    // The same key from another sender is another delivery; so are pairs that concatenate alike.
    TestDatabases.execute(db, INSERT.formatted("src-b", "evt-1"));
    TestDatabases.execute(db, "INSERT INTO webhook_delivery (id, source, integration_type, delivery_key, status, body) "
        + "VALUES (gen_random_uuid(), 'x', 't', 'yz', 'received', '\\x00'::bytea), "
        + "(gen_random_uuid(), 'xy', 't', 'z', 'received', '\\x00'::bytea)");
    assertThat(TestDatabases.query(db, "SELECT count(*) FROM webhook_delivery")).containsExactly("5");
    assertThat(TestDatabases.query(db, "SELECT indexdef FROM pg_indexes WHERE indexname = 'webhook_delivery_recent'"))
        .singleElement().asString().endsWith("(received_at, id)");
  }

  @Test
  @DisplayName("V26 hands deliveries still waiting to the retry path and keeps finished ones as they were")
  void waitingDeliveriesSurviveTheLog() throws SQLException {
    String db = TestDatabases.databaseAtVersion("25");
    TestDatabases.execute(db, INSERT.formatted("src-a", "waiting"));
    TestDatabases.execute(db, INSERT.formatted("src-a", "done").replace("'received'", "'ignored'"));

    TestDatabases.migrate(db);

    assertThat(TestDatabases.query(db, "SELECT delivery_key || ' ' || status || ' ' || (retry_at IS NOT NULL) "
        + "|| ' ' || (tx IS NULL) FROM webhook_delivery_state ORDER BY delivery_key"))
        .containsExactly("done ignored false true", "waiting received true true");
    // A row stored from now on is in the log, in the partition the gateway names.
    TestDatabases.execute(db, INSERT.formatted("src-a", "new"));
    assertThat(TestDatabases.query(db, "SELECT (tx IS NOT NULL) || ' ' || part FROM webhook_delivery "
        + "WHERE delivery_key = 'new'")).containsExactly("true 0");
    assertThat(TestDatabases.query(db, "SELECT count(*) FROM inbox_partition")).containsExactly(
        String.valueOf(InboxLog.PARTITIONS));
  }
}
