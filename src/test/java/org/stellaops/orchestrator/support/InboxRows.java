package org.stellaops.orchestrator.support;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

/**
 * Webhook deliveries written straight into the inbox, as the gateway stores them: to put several
 * in one transaction (so the inbox processor first sees them together, in one batch), to hold a
 * transaction open while others commit, or to write rows the gateway would no longer accept.
 */
public final class InboxRows {

  /**
   * The media type of distribution notifications
   * (https://distribution.github.io/distribution/about/notifications/).
   */
  public static final String DISTRIBUTION_TYPE = "application/vnd.docker.distribution.events.v1+json";

  private InboxRows() {}

  /** A row as the gateway stores it, with the attempts already made on it. */
  public record Row(UUID id, String source, UUID integrationId, String type, String key, String contentType,
      String body, int attempts) {}

  /** A distribution notification from a registry.distribution integration, keyed by its event id. */
  public static Row distribution(String integrationId, String eventId, String body) {
    return new Row(UUID.randomUUID(), integrationId, UUID.fromString(integrationId), "registry.distribution", eventId,
        DISTRIBUTION_TYPE, body, 0);
  }

  /** Inserts the rows on {@code c}, in its transaction. */
  public static void insert(Connection c, List<Row> rows) throws SQLException {
    try (PreparedStatement insert = c.prepareStatement("""
        INSERT INTO webhook_delivery (id, source, integration_id, integration_type, delivery_key, status,
                                      headers, body, attempts)
        VALUES (?, ?, ?, ?, ?, 'received', ?::jsonb, ?, ?)
        """)) {
      for (Row r : rows) {
        insert.setObject(1, r.id());
        insert.setString(2, r.source());
        insert.setObject(3, r.integrationId());
        insert.setString(4, r.type());
        insert.setString(5, r.key());
        insert.setString(6, new JsonObject().put("content-type", r.contentType()).encode());
        insert.setBytes(7, r.body().getBytes(StandardCharsets.UTF_8));
        insert.setInt(8, r.attempts());
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  /** Stores the rows in one transaction, and runs {@code alsoRun} in it. */
  public static void storeTogether(String dbUrl, List<Row> rows, String... alsoRun) throws SQLException {
    try (Connection c = TestDatabases.connect(dbUrl)) {
      c.setAutoCommit(false);
      insert(c, rows);
      for (String sql : alsoRun) {
        try (Statement st = c.createStatement()) {
          st.execute(sql);
        }
      }
      c.commit();
    }
  }
}
