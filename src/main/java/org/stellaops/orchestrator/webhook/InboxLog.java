package org.stellaops.orchestrator.webhook;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * The inbox read as a log (migration V26): deliveries in (tx, seq) order per partition, and the
 * position each partition has been applied up to. A batch's transaction takes up to
 * {@link #PARTITIONS_PER_BATCH} partitions that have work, each with a transaction-scoped
 * advisory lock, reads the rows after their positions, and moves the positions in the same
 * transaction as the rows' effects. What is guaranteed:
 * <ul>
 *   <li>Exactly-once effects: a position moves past a delivery in the transaction that applied
 *       it, or not at all; a partition is worked by one transaction at a time.
 *   <li>Nothing acknowledged is lost: a row is read only once every transaction that could still
 *       insert a row before it in the log has ended (its tx is below the oldest running
 *       transaction), so no commit order can hide a row behind a position.
 *   <li>A processor killed mid-batch (SIGKILL, a lost connection) moved nothing: PostgreSQL ends
 *       its transaction and frees its partitions.
 *   <li>Replicas share the work a partition at a time; one integration's deliveries share a
 *       partition and are applied in order.
 * </ul>
 * Deliveries waiting out a retry's backoff (or put back by a replay) are off the log: they are
 * taken by {@code retry_at}, each with an advisory lock, and always rewritten with their outcome.
 *
 * <p>Known limit: the oldest running transaction is counted over the whole PostgreSQL server, so
 * a long write transaction anywhere on it holds the inbox back until it ends (the inbox lag
 * metric shows it; docs/operations.md says how to find it).
 */
public final class InboxLog {

  /** How many partitions the log has (rows of {@code inbox_partition}). */
  public static final int PARTITIONS = 16;
  /** How many partitions one batch takes at most, so that replicas find some left to work. */
  static final int PARTITIONS_PER_BATCH = 4;
  /** The first key of the partitions' advisory locks ("STL" and 1); the second is the partition. */
  static final int LOCK_KEY = 0x53544C01;

  private static final String COLUMNS = """
      seq, id, source, integration_id, integration_type, delivery_key, status, reason, error, headers,
      received_at, processed_at, attempts
      """.strip();
  /**
   * Partitions with rows past their position that every transaction has finished writing, least
   * recently worked first, locked for this transaction; a partition another batch holds is
   * skipped. The candidates are materialized first and the lock is tried on them one at a time
   * until {@code $2} are held: a lock in the candidates' own WHERE would be tried on every
   * partition the planner scans, holding partitions this batch does not work. The positions are
   * read again once locked ({@link #READ}): this statement's snapshot may be older than the last
   * batch that freed them.
   */
  static final String LOCK = """
      WITH candidates AS MATERIALIZED (
        SELECT p.part FROM inbox_partition p
        WHERE EXISTS (SELECT 1 FROM webhook_delivery d
                      WHERE d.part = p.part AND d.tx IS NOT NULL AND (d.tx, d.seq) > (p.pos_tx, p.pos_seq)
                        AND d.tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint)
        ORDER BY p.worked_at)
      SELECT part FROM candidates c WHERE pg_try_advisory_xact_lock($1, c.part) LIMIT $2
      """;
  /**
   * The next rows of the locked partitions, in log order, below the horizon of this statement's
   * own snapshot. Rows that are not for the log to work (stored ignored, or on the retry path)
   * come without their body: the position just moves past them.
   */
  private static final String READ = """
      WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon)
      SELECT p.part, d.*
      FROM inbox_partition p CROSS JOIN h
      CROSS JOIN LATERAL (
        SELECT %s, tx, status = 'received' AND retry_at IS NULL AS workable,
               CASE WHEN status = 'received' AND retry_at IS NULL THEN body END AS body
        FROM webhook_delivery w
        WHERE w.part = p.part AND w.tx IS NOT NULL AND (w.tx, w.seq) > (p.pos_tx, p.pos_seq) AND w.tx < h.horizon
        ORDER BY w.tx, w.seq LIMIT $2) d
      WHERE p.part = ANY ($1::int[])
      ORDER BY p.part, d.tx, d.seq
      """.formatted(COLUMNS);
  /** One partition's position, once locked: to check a delivery worked alone is still next. */
  private static final String POSITION = "SELECT pos_tx, pos_seq FROM inbox_partition WHERE part = $1";
  private static final String LOCK_ONE = "SELECT pg_try_advisory_xact_lock($1, $2) AS locked";
  /**
   * Due deliveries off the log, oldest due first, each locked with a transaction advisory lock on
   * its seq (skipped when another batch holds it). Not a row lock: that would give the batch a
   * transaction id at its start, and a batch waiting on slow registry lookups would then hold
   * back every replica's reading of the log (the horizon above) until it ends. The rows are read
   * again once locked ({@link #RETRY_READ}). No other advisory lock of the gateway uses a key
   * this small (seq) in the one-key space.
   */
  private static final String RETRY_LOCK = """
      WITH due AS MATERIALIZED (
        SELECT seq FROM webhook_delivery
        WHERE status = 'received' AND retry_at IS NOT NULL AND retry_at <= now()
        ORDER BY retry_at, seq LIMIT $1)
      SELECT seq FROM due WHERE pg_try_advisory_xact_lock(seq)
      """;
  /** The locked retries that are still due, as now committed: another batch may just have worked one. */
  private static final String RETRY_READ = """
      SELECT %s, body, part FROM webhook_delivery
      WHERE seq = ANY ($1::bigint[]) AND status = 'received' AND retry_at IS NOT NULL AND retry_at <= now()
      ORDER BY retry_at, seq
      """.formatted(COLUMNS);
  private static final String RETRY_LOCK_ONE = "SELECT pg_try_advisory_xact_lock($1) AS locked";
  private static final String RETRY_ONE = """
      SELECT %s, body, part FROM webhook_delivery
      WHERE seq = $1 AND status = 'received' AND retry_at IS NOT NULL
      """.formatted(COLUMNS);
  /**
   * Moves the positions, and the partitions' progress times: the latest progress row of a
   * partition moves along (with the time) when it is under a second old, a new one is added
   * otherwise. So a delivery's processed time is at most about a second late, never early.
   */
  private static final String ADVANCE = """
      WITH m AS (SELECT * FROM unnest($1::int[], $2::bigint[], $3::bigint[]) AS m(part, tx, seq)),
      moved AS (
        UPDATE inbox_partition p SET pos_tx = m.tx, pos_seq = m.seq, worked_at = now()
        FROM m WHERE p.part = m.part),
      kept AS (
        UPDATE inbox_progress g SET tx = m.tx, seq = m.seq, at = now()
        FROM m
        WHERE g.part = m.part AND g.at > now() - interval '1 second'
          AND (g.tx, g.seq) = (SELECT l.tx, l.seq FROM inbox_progress l WHERE l.part = m.part
                               ORDER BY l.tx DESC, l.seq DESC LIMIT 1)
        RETURNING g.part)
      INSERT INTO inbox_progress (part, tx, seq)
      SELECT part, tx, seq FROM m WHERE part NOT IN (SELECT part FROM kept)
      """;
  /**
   * How long a batch's transaction may sit idle before PostgreSQL ends it and frees what it
   * holds; and its commit does not wait for the WAL flush. That is safe here: a batch commit
   * lost in a crash loses its effects and its position move together (WAL is replayed in
   * order), so its deliveries are applied again, once; nothing a batch does is acknowledged to
   * anyone outside the database before it is durable (its bus events only wake work that is
   * itself idempotent: polls, promotions that re-read their state). It saves one fsync a batch.
   */
  private static final String SET_UP = """
      SELECT set_config('idle_in_transaction_session_timeout', $1, true), set_config('synchronous_commit', 'off', true)
      """;
  /**
   * The age of the oldest delivery not yet applied: the first row past each partition's position
   * (one index entry each), and the oldest on the retry path.
   */
  private static final String OLDEST_PENDING = """
      SELECT extract(epoch FROM now() - min(oldest)) AS lag FROM (
        SELECT (SELECT d.received_at FROM webhook_delivery d
                WHERE d.part = p.part AND d.tx IS NOT NULL AND (d.tx, d.seq) > (p.pos_tx, p.pos_seq)
                ORDER BY d.tx, d.seq LIMIT 1) AS oldest
        FROM inbox_partition p
        UNION ALL
        (SELECT received_at FROM webhook_delivery WHERE status = 'received' AND retry_at IS NOT NULL
         ORDER BY received_at LIMIT 1)) t
      """;

  private final Pool pool;

  public InboxLog(Pool pool) {
    this.pool = pool;
  }

  /** A place in a partition's log. */
  public record Position(long tx, long seq) implements Comparable<Position> {
    static final Position START = new Position(0, 0);

    @Override
    public int compareTo(Position o) {
      int byTx = Long.compare(tx, o.tx);
      return byTx != 0 ? byTx : Long.compare(seq, o.seq);
    }
  }

  /**
   * A delivery to work. A log entry carries its partition, its place, and the place of the entry
   * to work before it in the batch ({@code after}); a retry entry has no place.
   */
  public record Entry(Delivery delivery, int part, Position at, Position after) {
    boolean fromLog() {
      return at != null;
    }
  }

  /**
   * What a batch's transaction holds: the deliveries to work (retries first, then the log in
   * order) and where each locked partition's position moves once they are applied.
   */
  public record Claim(List<Entry> entries, Map<Integer, Position> reached, boolean full) {
    static final Claim NONE = new Claim(List.of(), Map.of(), false);

    /** Whether the claim found anything to do (a position to move counts). */
    boolean found() {
      return !entries.isEmpty() || !reached.isEmpty();
    }
  }

  /**
   * Runs {@code work} on the next batch (up to {@code limit} deliveries) in one transaction:
   * commits when it succeeds, rolls back when it fails (then nothing moved). {@code work} records
   * outcomes and moves positions ({@link #advance}) on the same connection.
   */
  public <T> Future<T> withNextBatch(int limit, int idleSeconds, BiFunction<SqlConnection, Claim, Future<T>> work) {
    return pool.withTransaction(tx -> limitIdle(tx, idleSeconds)
        .compose(v -> tx.preparedQuery(RETRY_LOCK).execute(Tuple.of(limit)))
        .compose(locked -> {
          List<Long> seqs = new ArrayList<>();
          locked.forEach(row -> seqs.add(row.getLong("seq")));
          return seqs.isEmpty() ? Future.succeededFuture(List.<Row>of())
              : tx.preparedQuery(RETRY_READ).execute(Tuple.of(seqs.toArray(Long[]::new)))
              .map(rows -> java.util.stream.StreamSupport.stream(rows.spliterator(), false).toList());
        })
        .compose(retryRows -> {
          List<Entry> entries = new ArrayList<>();
          retryRows.forEach(row -> entries.add(retryEntry(row)));
          boolean retriesFull = retryRows.size() >= limit;
          if (retriesFull) {
            // Retries take the whole batch and the log waits: a backlog handed to the retry path
            // (by V26) is older than anything in the log, and is applied first.
            return work.apply(tx, new Claim(entries, Map.of(), true));
          }
          return tx.preparedQuery(LOCK).execute(Tuple.of(LOCK_KEY, PARTITIONS_PER_BATCH)).compose(locked -> {
            List<Integer> parts = new ArrayList<>();
            locked.forEach(row -> parts.add(row.getInteger("part")));
            if (parts.isEmpty()) {
              return work.apply(tx, new Claim(entries, Map.of(), retriesFull));
            }
            int each = Math.max(1, limit / parts.size());
            return tx.preparedQuery(READ).execute(Tuple.of(parts.toArray(Integer[]::new), each))
                .compose(logRows -> work.apply(tx, logClaim(entries, logRows, each, retriesFull)));
          });
        }));
  }

  private static Entry retryEntry(Row row) {
    return new Entry(Delivery.fromRow(row, true), row.getInteger("part"), null, null);
  }

  /**
   * The claim of the log rows read (in partition and log order), after the retry entries; full
   * when a partition gave all {@code each} rows it was asked for (it may have more).
   */
  private static Claim logClaim(List<Entry> retries, Iterable<Row> rows, int each, boolean retriesFull) {
    List<Entry> entries = new ArrayList<>(retries);
    Map<Integer, Position> reached = new LinkedHashMap<>();
    Map<Integer, Position> lastWorked = new java.util.HashMap<>();
    Map<Integer, Integer> perPartition = new java.util.HashMap<>();
    for (Row row : rows) {
      int part = row.getInteger("part");
      perPartition.merge(part, 1, Integer::sum);
      Position at = new Position(row.getLong("tx"), row.getLong("seq"));
      if (row.getBoolean("workable")) {
        Position after = lastWorked.getOrDefault(part, Position.START);
        entries.add(new Entry(Delivery.fromRow(row, true), part, at, after));
        lastWorked.put(part, at);
      }
      reached.put(part, at);
    }
    return new Claim(entries, reached, retriesFull || perPartition.containsValue(each));
  }

  /**
   * Runs {@code work} on {@code e} alone, in a transaction of its own, when it is still next: a
   * log entry when its partition is free and its position is between the entry worked before it
   * and it; a retry entry when it is still on the retry path and no other batch holds it.
   * {@code work} gets an empty claim otherwise (someone else took it, or the entry before it was
   * not applied, so it must wait for the next batch).
   */
  public <T> Future<T> withOne(Entry e, int idleSeconds, BiFunction<SqlConnection, Claim, Future<T>> work) {
    return pool.withTransaction(tx -> limitIdle(tx, idleSeconds).compose(v -> {
      if (!e.fromLog()) {
        long seq = e.delivery().seq();
        return tx.preparedQuery(RETRY_LOCK_ONE).execute(Tuple.of(seq)).compose(locked ->
            !locked.iterator().next().getBoolean("locked") ? work.apply(tx, Claim.NONE)
                : tx.preparedQuery(RETRY_ONE).execute(Tuple.of(seq)).compose(rows -> work.apply(tx,
                    rows.size() == 0 ? Claim.NONE
                        : new Claim(List.of(retryEntry(rows.iterator().next())), Map.of(), false))));
      }
      return tx.preparedQuery(LOCK_ONE).execute(Tuple.of(LOCK_KEY, e.part())).compose(locked -> {
        if (!locked.iterator().next().getBoolean("locked")) {
          return work.apply(tx, Claim.NONE);
        }
        return tx.preparedQuery(POSITION).execute(Tuple.of(e.part())).compose(rows -> {
          Row row = rows.iterator().next();
          Position now = new Position(row.getLong("pos_tx"), row.getLong("pos_seq"));
          return work.apply(tx, stillNext(now, e) ? new Claim(List.of(e), Map.of(e.part(), e.at()), false) : Claim.NONE);
        });
      });
    }));
  }

  /**
   * Whether a log entry is next in its partition: the position is at or past the entry worked
   * before it (everything between is not the log's to work) and before the entry itself. Pure.
   */
  static boolean stillNext(Position now, Entry e) {
    return now.compareTo(e.after()) >= 0 && now.compareTo(e.at()) < 0;
  }

  /** Moves the positions of a claim's partitions, on its transaction. */
  public Future<Void> advance(SqlConnection tx, Map<Integer, Position> reached) {
    if (reached.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Integer> parts = new ArrayList<>(reached.keySet());
    return tx.preparedQuery(ADVANCE).execute(Tuple.of(parts.toArray(Integer[]::new),
            parts.stream().map(p -> reached.get(p).tx()).toArray(Long[]::new),
            parts.stream().map(p -> reached.get(p).seq()).toArray(Long[]::new)))
        .mapEmpty();
  }

  /**
   * Tells PostgreSQL that the processor holding {@code tx} is still working its batch (a batch
   * of slow registry lookups can take longer than the idle limit without a statement).
   */
  public Future<Void> stillWorking(SqlConnection tx) {
    return tx.query("SELECT 1").execute().mapEmpty();
  }

  private static Future<Void> limitIdle(SqlConnection tx, int idleSeconds) {
    return tx.preparedQuery(SET_UP).execute(Tuple.of(idleSeconds * 1000 + "ms")).mapEmpty();
  }

  /** See {@link InboxRestore#rebaseIfRestored}. */
  public Future<Boolean> rebaseIfRestored() {
    return new InboxRestore(pool).rebaseIfRestored();
  }

  /** The partition a delivery is logged in: one integration's (or sender's) deliveries share one. Pure. */
  public static int partitionOf(UUID integrationId, String source) {
    String key = integrationId == null ? source : integrationId.toString();
    return Math.floorMod(key.hashCode(), PARTITIONS);
  }

  /** Seconds the oldest delivery not yet applied has waited (0 when there is none). */
  public Future<Double> lagSeconds() {
    return pool.query(OLDEST_PENDING).execute().map(rows -> {
      Object lag = rows.size() == 0 ? null : rows.iterator().next().getValue("lag");
      return lag == null ? 0.0 : ((Number) lag).doubleValue();
    });
  }
}
