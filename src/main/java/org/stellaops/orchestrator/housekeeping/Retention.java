package org.stellaops.orchestrator.housekeeping;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.stellaops.orchestrator.platform.AppConfig;

/**
 * Deletes finished records once they are older than their retention ({@code retention.*}), in
 * batches of {@link #BATCH} rows per statement, so no statement holds many row locks or writes a
 * large transaction. What is still to be done is never touched: webhook deliveries still to be
 * processed, event deliveries and status reports still to be sent, pipeline runs still waited
 * for. Releases, promotions and deployment jobs are never deleted, nor a pipeline run that a
 * promotion started or waits on. Rows are picked {@code FOR UPDATE SKIP LOCKED}, and each
 * statement re-checks its condition, so a row being replayed or retried at that moment is left.
 *
 * <p>One replica at a time: a pass holds a PostgreSQL session advisory lock on its connection
 * and a replica that finds it taken skips its pass. The lock goes with the connection, so a
 * replica that dies mid-pass holds it no longer.
 */
public final class Retention {

  static final int BATCH = 1000;
  /** The advisory lock key: "STELLA" and 1, a number no other lock of the gateway's uses. */
  static final long LOCK_KEY = 0x5354454C4C410001L;

  /**
   * The webhook delivery rows that retention may remove, oldest first (their listing index):
   * received before the cut-off and finished, with a recorded outcome older than the cut-off (a
   * delivery ignored as it was stored, before its time was recorded, counts from its receipt) or
   * applied (behind their partition's log position). Never one still waiting.
   */
  private static final String OLD_DELIVERIES = """
      SELECT d.seq FROM webhook_delivery d LEFT JOIN inbox_partition p ON p.part = d.part
      WHERE d.received_at < now() - make_interval(secs => $1)
        AND ((d.status IN ('processed', 'ignored', 'failed')
              AND coalesce(d.processed_at, d.received_at) < now() - make_interval(secs => $1))
             OR (d.status = 'received' AND d.retry_at IS NULL AND d.tx IS NOT NULL
                 AND (d.tx, d.seq) <= (p.pos_tx, p.pos_seq)))
        AND %s
      ORDER BY d.received_at LIMIT $2 FOR UPDATE OF d SKIP LOCKED
      """;
  private static final String DELETE_WEBHOOK_DELIVERIES = "DELETE FROM webhook_delivery WHERE seq IN ("
      + OLD_DELIVERIES.formatted("delivery_key NOT LIKE 'sha256:%'") + ")";
  /**
   * Deliveries keyed by a hash of their body (senders that sign only the body, such as GitHub)
   * keep their row, without body and headers: the key alone recognises a captured body sent
   * again, which would otherwise be taken as new once its first delivery was gone.
   */
  private static final String EMPTY_BODY_KEYED_DELIVERIES = "UPDATE webhook_delivery SET body = ''::bytea, "
      + "headers = '{}'::jsonb WHERE seq IN ("
      + OLD_DELIVERIES.formatted("delivery_key LIKE 'sha256:%' AND octet_length(body) > 0") + ")";
  /** When the inbox log's positions moved, for deliveries retention has removed by now. */
  private static final String DELETE_INBOX_PROGRESS = """
      DELETE FROM inbox_progress WHERE (part, tx, seq) IN (
        SELECT part, tx, seq FROM inbox_progress WHERE at < now() - make_interval(secs => $1)
        ORDER BY at LIMIT $2)
      """;
  private static final String DELETE_EVENT_DELIVERIES = """
      DELETE FROM event_delivery WHERE id IN (
        SELECT id FROM event_delivery
        WHERE status IN ('delivered', 'failed') AND created_at < now() - make_interval(secs => $1)
        ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
      """;
  private static final String DELETE_STATUS_REPORTS = """
      DELETE FROM status_report WHERE id IN (
        SELECT id FROM status_report
        WHERE status IN ('sent', 'failed') AND created_at < now() - make_interval(secs => $1)
        ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
      """;
  /**
   * Finished runs, but none a promotion started (its trigger-ci step's outputs name the run) or
   * waits on (a promotion resumes from the run's final status).
   */
  private static final String DELETE_PIPELINE_RUNS = """
      DELETE FROM pipeline_run WHERE id IN (
        SELECT r.id FROM pipeline_run r
        WHERE r.status IN ('success', 'failed', 'cancelled', 'timed_out')
          AND coalesce(r.completed_at, r.updated_at) < now() - make_interval(secs => $1)
          AND NOT EXISTS (SELECT 1 FROM promotion p WHERE p.id = r.promotion_id)
          AND NOT EXISTS (SELECT 1 FROM promotion p WHERE p.waiting_on = 'run:' || r.id::text)
        ORDER BY r.created_at LIMIT $2 FOR UPDATE OF r SKIP LOCKED)
      """;
  private static final String TRY_LOCK = "SELECT pg_try_advisory_lock($1) AS locked";
  private static final String UNLOCK = "SELECT pg_advisory_unlock($1)";

  /** One kind of record: its metric tag, its statement and which retention applies. */
  private record Kind(String name, String statement, boolean runs) {}

  private static final List<Kind> KINDS = List.of(
      new Kind("webhook_delivery", DELETE_WEBHOOK_DELIVERIES, false),
      new Kind("webhook_delivery_body", EMPTY_BODY_KEYED_DELIVERIES, false),
      new Kind("inbox_progress", DELETE_INBOX_PROGRESS, false),
      new Kind("event_delivery", DELETE_EVENT_DELIVERIES, false),
      new Kind("status_report", DELETE_STATUS_REPORTS, false),
      new Kind("pipeline_run", DELETE_PIPELINE_RUNS, true));

  private final Pool pool;
  private final AppConfig.Retention retention;
  private final Map<String, Counter> deleted = new LinkedHashMap<>();

  public Retention(Pool pool, AppConfig.Retention retention, MeterRegistry registry) {
    this.pool = pool;
    this.retention = retention;
    KINDS.forEach(kind -> deleted.put(kind.name(), Counter.builder("stella.retention.deleted").tag("kind", kind.name())
        .description("Records removed by retention (webhook_delivery_body: bodies of deliveries kept by key)")
        .register(registry)));
  }

  /**
   * One pass: {@code {"skipped": true}} when another replica holds the lock, else the rows
   * removed per kind.
   */
  public Future<JsonObject> purge() {
    return pool.withConnection(conn -> conn.preparedQuery(TRY_LOCK).execute(Tuple.of(LOCK_KEY)).compose(rows -> {
      if (!rows.iterator().next().getBoolean("locked")) {
        return Future.succeededFuture(new JsonObject().put("skipped", true));
      }
      JsonObject removed = new JsonObject().put("skipped", false);
      Future<Void> all = Future.succeededFuture();
      for (Kind kind : KINDS) {
        Duration keep = kind.runs() ? retention.runs() : retention.deliveries();
        all = all.compose(v -> drain(conn, kind, keep, 0).map(n -> {
          removed.put(kind.name(), n);
          return null;
        }));
      }
      return all.map(removed).eventually(() -> conn.preparedQuery(UNLOCK).execute(Tuple.of(LOCK_KEY)));
    }));
  }

  /** Runs the kind's statement until a batch comes back short; answers the rows removed. */
  private Future<Integer> drain(SqlConnection conn, Kind kind, Duration keep, int sofar) {
    return conn.preparedQuery(kind.statement()).execute(Tuple.of((double) keep.toSeconds(), BATCH)).compose(rows -> {
      int n = rows.rowCount();
      deleted.get(kind.name()).increment(n);
      return n < BATCH ? Future.succeededFuture(sofar + n) : drain(conn, kind, keep, sofar + n);
    });
  }
}
