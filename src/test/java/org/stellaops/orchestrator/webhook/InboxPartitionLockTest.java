package org.stellaops.orchestrator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.support.InboxRows;
import org.stellaops.orchestrator.support.TestDatabases;

/**
 * The statement a batch takes its partitions with, run on a migrated database: a batch holds only
 * partitions it works, so another replica's batch finds the others free.
 */
class InboxPartitionLockTest {

  private static List<Integer> lock(Connection c, int most) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(InboxLog.LOCK.replace("$1", "?").replace("$2", "?"))) {
      st.setInt(1, InboxLog.LOCK_KEY);
      st.setInt(2, most);
      List<Integer> parts = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          parts.add(rs.getInt(1));
        }
      }
      return parts;
    }
  }

  private static long advisoryLocksHeld(Connection c) throws SQLException {
    try (ResultSet rs = c.createStatement().executeQuery(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void store(String db, int part) throws SQLException {
    InboxRows.Row row = InboxRows.distribution(UUID.randomUUID().toString(), "evt-" + UUID.randomUUID(), "{}");
    InboxRows.storeTogether(db, List.of(row), "UPDATE webhook_delivery SET part = " + part + " WHERE id = '"
        + row.id() + "'");
  }

  @Test
  @DisplayName("a batch locks only partitions with work, and a second batch gets the ones the first left")
  void batchesShareThePartitions() throws SQLException {
    String db = TestDatabases.freshDatabase();
    store(db, 3);
    store(db, 7);
    store(db, 11);
    try (Connection first = TestDatabases.connect(db); Connection second = TestDatabases.connect(db)) {
      first.setAutoCommit(false);
      second.setAutoCommit(false);

      assertThat(lock(first, 2)).hasSize(2).isSubsetOf(3, 7, 11);
      assertThat(advisoryLocksHeld(first)).as("not every partition it looked at").isEqualTo(2);
      List<Integer> rest = lock(second, 2);
      assertThat(rest).hasSize(1).isSubsetOf(3, 7, 11);
      assertThat(advisoryLocksHeld(second)).isEqualTo(1);

      first.rollback();
      assertThat(lock(second, 4)).as("freed with the first batch's transaction").hasSize(3);
      second.rollback();
    }
  }
}
