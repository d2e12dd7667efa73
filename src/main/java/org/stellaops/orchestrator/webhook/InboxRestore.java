package org.stellaops.orchestrator.webhook;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

/**
 * Keeps the inbox log ({@link InboxLog}) consistent with the database's transaction counter. The
 * log's order and positions are transaction ids; a restore from a logical dump (pg_dump, logical
 * replication to a new server) does not carry the counter over, so rows stored after it would get
 * ids below the restored positions and be reported applied without being applied. Before its
 * first batch the processor checks for ids the server has not handed out yet, and if it finds
 * any, takes every row out of the log with the status it had.
 */
final class InboxRestore {

  /**
   * Whether the log holds transaction ids this server has not handed out yet: a position or a
   * row at or past the next one. That happens after a restore from a logical dump (pg_dump,
   * logical replication to a new server), which does not carry the transaction counter over:
   * new rows would get ids below the restored positions and be taken as applied.
   */
  private static final String RESTORED = """
      SELECT EXISTS (
        SELECT 1 FROM inbox_partition p
        CROSS JOIN LATERAL (SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS next) n
        WHERE p.pos_tx >= n.next
           OR EXISTS (SELECT 1 FROM webhook_delivery d WHERE d.part = p.part AND d.tx IS NOT NULL AND d.tx >= n.next)
      ) AS restored
      """;
  /** One rebase at a time; batches wait for it (their position update needs the table). */
  private static final String LOCK_PARTITIONS = "LOCK TABLE inbox_partition IN EXCLUSIVE MODE";
  /**
   * Takes every row out of the log with the status it has: applied ones are written
   * {@code processed}, waiting ones go to the retry path in the order they were received.
   */
  private static final String REBASE_ROWS = """
      UPDATE webhook_delivery d
      SET tx = NULL, status = v.status, attempts = v.attempts,
          processed_at = CASE WHEN v.status = 'processed' AND d.status = 'received'
                              THEN coalesce(v.processed_at, d.received_at) ELSE d.processed_at END,
          retry_at = CASE WHEN v.status = 'received' AND d.retry_at IS NULL THEN d.received_at ELSE d.retry_at END
      FROM webhook_delivery_state v
      WHERE v.id = d.id AND d.tx IS NOT NULL
      """;
  private static final String REBASE_POSITIONS = """
      WITH reset AS (UPDATE inbox_partition SET pos_tx = 0, pos_seq = 0, worked_at = now())
      DELETE FROM inbox_progress
      """;

  private final Pool pool;

  InboxRestore(Pool pool) {
    this.pool = pool;
  }

  /**
   * Rebases the log when it holds transaction ids from another server ({@link #RESTORED}); answers
   * whether it did. The processor runs this before its first batch. Costs one index probe per
   * partition when there is nothing to do, and rewrites every logged row when there is.
   */
  public Future<Boolean> rebaseIfRestored() {
    return pool.query(RESTORED).execute().compose(found -> !found.iterator().next().getBoolean("restored")
        ? Future.succeededFuture(false)
        : pool.withTransaction(tx -> tx.query(LOCK_PARTITIONS).execute()
            .compose(v -> tx.query(RESTORED).execute())
            .compose(again -> !again.iterator().next().getBoolean("restored") ? Future.succeededFuture(false)
                : tx.query(REBASE_ROWS).execute()
                    .compose(v -> tx.query(REBASE_POSITIONS).execute())
                    .map(true))));
  }
}
