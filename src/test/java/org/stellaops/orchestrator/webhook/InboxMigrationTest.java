package org.stellaops.orchestrator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.support.TestDatabases;

/** Migration V10 on an inbox written before it: duplicates of old deliveries are still duplicates. */
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
}
