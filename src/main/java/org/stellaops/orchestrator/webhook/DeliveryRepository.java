package org.stellaops.orchestrator.webhook;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;
import org.stellaops.orchestrator.platform.Cursor;
import org.stellaops.orchestrator.platform.Ids;
import org.stellaops.orchestrator.platform.Page;
import org.stellaops.orchestrator.platform.TextSafety;

/**
 * The webhook inbox. Inserts are idempotent on (source, delivery_key), through the 16-byte
 * {@code dedup_key} PostgreSQL derives from them (migration V10).
 *
 * <p>Processing works a batch inside one transaction ({@link #withClaimed}): the batch's rows are
 * locked ({@code FOR UPDATE SKIP LOCKED}), its effects written, and every row's outcome recorded
 * with one statement, then all of it commits together. What is guaranteed:
 * <ul>
 *   <li>Exactly-once effects: a delivery's outcome commits with its effects, or neither does.
 *   <li>Nothing acknowledged is lost: a row the processor locked stays {@code received} until
 *       that transaction commits; a processor killed mid-batch (SIGKILL, a lost connection) leaves
 *       its rows {@code received} and unlocked once PostgreSQL ends its transaction.
 *   <li>No commit order can hide a row: there is no position to move past a row; a row inserted
 *       by a transaction that commits late is simply {@code received} when it becomes visible,
 *       and the next claim takes it, whatever its {@code seq}.
 *   <li>Replicas share the work: rows locked by one replica's batch are skipped by the others'.
 * </ul>
 * One row write per delivery: the outcome. No lease is written on claim; a row lock is the lease.
 */
public final class DeliveryRepository {

  /** The list its cursors belong to; a cursor of another list is refused. */
  static final String CURSOR_LIST = "webhook-deliveries";

  private static final String COLUMNS = """
      seq, id, source, integration_id, integration_type, delivery_key, status, reason, error, headers,
      received_at, processed_at, attempts
      """;
  /** The common case: no delivery of the batch is stored yet. Fails whole on any duplicate key. */
  private static final String INSERT_BATCH = """
      INSERT INTO webhook_delivery (id, source, integration_id, integration_type, delivery_key, status, reason,
                                    headers, body)
      SELECT id, src, iid, typ, k, st, rsn, hdr::jsonb, bdy
      FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                  $9::bytea[]) AS t(id, src, iid, typ, k, st, rsn, hdr, bdy)
      """;
  /** After a duplicate key: stores the new rows, skips the known ones (speculative inserts cost more). */
  private static final String INSERT_BATCH_SKIPPING_DUPLICATES = INSERT_BATCH + """
      ON CONFLICT (dedup_key) DO NOTHING
      RETURNING id
      """;
  private static final String FIND_KEYS = """
      SELECT id, source, delivery_key FROM webhook_delivery
      WHERE dedup_key = ANY (ARRAY (SELECT md5(length(s)::text || ':' || s || k)::uuid
                                    FROM unnest($1::text[], $2::text[]) AS t(s, k)))
      """;
  /**
   * The oldest received deliveries that are due (not waiting out a retry's backoff), locked for
   * the calling transaction. SKIP LOCKED leaves rows another processor's batch holds to it.
   */
  private static final String CLAIM = """
      SELECT %s, body FROM webhook_delivery
      WHERE status = 'received' AND (claimed_until IS NULL OR claimed_until < now())
      ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED
      """.formatted(COLUMNS.strip());
  /** One delivery of a batch that failed as a whole, to be worked on its own. */
  private static final String CLAIM_ONE = """
      SELECT %s, body FROM webhook_delivery WHERE id = $1 AND status = 'received' FOR UPDATE SKIP LOCKED
      """.formatted(COLUMNS.strip());
  /**
   * How long a batch's transaction may sit idle (waiting for the processor, e.g. on a registry
   * lookup) before PostgreSQL ends it and its rows are free for another processor.
   */
  private static final String LIMIT_IDLE = """
      SELECT set_config('idle_in_transaction_session_timeout', $1, true)
      """;
  /** Any statement: the transaction is not idle while the processor keeps running them. */
  private static final String STILL_WORKING = "SELECT 1";
  /**
   * Every outcome of a batch in one statement: {@code processed} or {@code ignored} (with the
   * reason), {@code failed}, or {@code received} again with the error and the time of the next
   * attempt. {@code tried} is 1 for a delivery that was attempted, 0 for one given up unattempted.
   */
  private static final String FINISH_ALL = """
      UPDATE webhook_delivery AS d
      SET status = f.status, reason = f.reason, error = f.error, attempts = d.attempts + f.tried,
          processed_at = CASE WHEN f.status = 'received' THEN NULL ELSE now() END,
          claimed_until = CASE WHEN f.status = 'received' THEN now() + make_interval(secs => f.delay) END
      FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[])
           AS f(id, status, reason, error, tried, delay)
      WHERE d.id = f.id AND d.status = 'received'
      """;
  /** A failed attempt recorded on its own, after the transaction that made it was rolled back. */
  private static final String RETRY_LATER = """
      UPDATE webhook_delivery
      SET error = $2, claimed_until = now() + make_interval(secs => $3), attempts = attempts + 1,
          status = CASE WHEN $4 THEN 'failed' ELSE status END,
          processed_at = CASE WHEN $4 THEN now() ELSE processed_at END
      WHERE id = $1 AND status = 'received'
      """;
  private static final String FIND = "SELECT " + COLUMNS + ", body FROM webhook_delivery WHERE id = $1";
  private static final String LIST = "SELECT " + COLUMNS + " FROM webhook_delivery "
      + "WHERE ($1::uuid IS NULL OR integration_id = $1) AND ($2::text IS NULL OR status = $2) "
      + "AND ($3::timestamptz IS NULL OR received_at >= $3) "
      + "AND ($4::timestamptz IS NULL OR (received_at, id) < ($4, $5::uuid)) "
      + "ORDER BY received_at DESC, id DESC LIMIT $6";
  /** Puts a delivery that still has its body back in the inbox; answers whether it exists and has one. */
  private static final String REPLAY = """
      WITH target AS (SELECT id, octet_length(body) > 0 AS has_body FROM webhook_delivery WHERE id = $1),
           replayed AS (
             UPDATE webhook_delivery d SET status = 'received', reason = NULL, error = NULL, processed_at = NULL,
                                           claimed_until = NULL, attempts = 0
             FROM target t WHERE d.id = t.id AND t.has_body
             RETURNING d.id)
      SELECT has_body FROM target
      """;
  /**
   * The age of the oldest unprocessed delivery, taken as the one with the lowest seq: one entry
   * of the pending index. {@code min(received_at)} read every pending row each second (400,000
   * heap fetches a second with a backlog of that size, in bench/ingest). Seq order and
   * received_at order differ only among deliveries committed within milliseconds of each other.
   */
  private static final String OLDEST_PENDING = """
      SELECT extract(epoch FROM now() - received_at) AS lag FROM webhook_delivery WHERE status = 'received'
      ORDER BY seq LIMIT 1
      """;

  private final Pool pool;

  public DeliveryRepository(Pool pool) {
    this.pool = pool;
  }

  /** Where each delivery of a batch ended up: its stored id, and whether it was already there. */
  public record Stored(UUID id, boolean duplicate) {}

  /**
   * Stores a batch in one statement and one commit. Deliveries whose (source, key) exists — or
   * repeats within the batch — are duplicates and get the id of the row already stored.
   */
  public Future<List<Stored>> insertBatch(List<NewDelivery> batch) {
    int n = batch.size();
    UUID[] ids = new UUID[n];
    String[] sources = new String[n];
    UUID[] integrations = new UUID[n];
    String[] types = new String[n];
    String[] keys = new String[n];
    String[] statuses = new String[n];
    String[] reasons = new String[n];
    String[] headers = new String[n];
    Buffer[] bodies = new Buffer[n];
    for (int i = 0; i < n; i++) {
      NewDelivery d = batch.get(i);
      ids[i] = d.id();
      sources[i] = d.source();
      integrations[i] = d.integrationId();
      types[i] = d.integrationType();
      keys[i] = d.deliveryKey();
      statuses[i] = d.status();
      reasons[i] = d.reason();
      headers[i] = d.headers().encode();
      bodies[i] = Buffer.buffer(d.body());
    }
    Tuple args = Tuple.tuple().addArrayOfUUID(ids).addArrayOfString(sources).addArrayOfUUID(integrations)
        .addArrayOfString(types).addArrayOfString(keys).addArrayOfString(statuses).addArrayOfString(reasons)
        .addArrayOfString(headers).addArrayOfBuffer(bodies);
    // Most batches hold no duplicate, and a plain insert costs PostgreSQL about a fifth less than
    // ON CONFLICT (measured with pgbench, docs/benchmarks.md). A duplicate fails the plain statement
    // as a whole (nothing written), and the batch is then stored with ON CONFLICT DO NOTHING.
    return pool.preparedQuery(INSERT_BATCH).execute(args).<List<Stored>>map(rows -> {
      List<Stored> all = new ArrayList<>(n);
      for (UUID id : ids) {
        all.add(new Stored(id, false));
      }
      return all;
    }).recover(e -> Ids.uniqueViolation(e) ? insertSkippingDuplicates(args, ids, sources, keys)
        : Future.failedFuture(e));
  }

  private Future<List<Stored>> insertSkippingDuplicates(Tuple args, UUID[] ids, String[] sources, String[] keys) {
    int n = ids.length;
    return pool.preparedQuery(INSERT_BATCH_SKIPPING_DUPLICATES).execute(args).compose(rows -> {
      java.util.Set<UUID> inserted = new java.util.HashSet<>();
      rows.forEach(row -> inserted.add(row.getUUID("id")));
      if (inserted.size() == n) {
        List<Stored> all = new ArrayList<>(n);
        for (UUID id : ids) {
          all.add(new Stored(id, false));
        }
        return Future.succeededFuture(all);
      }
      return pool.preparedQuery(FIND_KEYS).execute(Tuple.tuple().addArrayOfString(sources).addArrayOfString(keys))
          .map(existing -> {
            Map<String, UUID> byKey = new HashMap<>();
            existing.forEach(row -> byKey.put(row.getString("source") + "\n" + row.getString("delivery_key"),
                row.getUUID("id")));
            List<Stored> all = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
              all.add(inserted.contains(ids[i]) ? new Stored(ids[i], false)
                  : new Stored(byKey.get(sources[i] + "\n" + keys[i]), true));
            }
            return all;
          });
    });
  }

  /**
   * Runs {@code work} on up to {@code limit} due deliveries (oldest first) in one transaction that
   * holds their rows: commits when {@code work} succeeds, rolls back (the rows stay
   * {@code received}) when it fails. {@code work} records the outcomes with {@link #finishAll} on
   * the same connection. The transaction ends after {@code idleSeconds} of waiting on the
   * processor at most.
   */
  public <T> Future<T> withClaimed(int limit, int idleSeconds,
      BiFunction<SqlConnection, List<Delivery>, Future<T>> work) {
    return inTransaction(CLAIM, Tuple.of(limit), idleSeconds, work);
  }

  /** {@link #withClaimed} for one delivery, if it is still received and no other processor holds it. */
  public <T> Future<T> withClaimedOne(UUID id, int idleSeconds,
      BiFunction<SqlConnection, List<Delivery>, Future<T>> work) {
    return inTransaction(CLAIM_ONE, Tuple.of(id), idleSeconds, work);
  }

  private <T> Future<T> inTransaction(String claim, Tuple args, int idleSeconds,
      BiFunction<SqlConnection, List<Delivery>, Future<T>> work) {
    return pool.withTransaction(tx -> tx.preparedQuery(LIMIT_IDLE).execute(Tuple.of(idleSeconds * 1000 + "ms"))
        .compose(set -> tx.preparedQuery(claim).execute(args))
        .compose(rows -> {
          List<Delivery> claimed = new ArrayList<>();
          rows.forEach(row -> claimed.add(Delivery.fromRow(row, true)));
          return work.apply(tx, claimed);
        }));
  }

  /**
   * Tells PostgreSQL that the processor holding {@code tx} is still working its batch (a batch
   * of slow registry lookups can take longer than the idle limit without a statement).
   */
  public Future<Void> stillWorking(SqlConnection tx) {
    return tx.query(STILL_WORKING).execute().mapEmpty();
  }

  /**
   * The outcome of working one delivery: {@code processed} or {@code ignored} (and why),
   * {@code failed} (and the error), or {@code received} again with the error, to be tried after
   * {@code delaySeconds}. {@code attempted} is false for a delivery given up without an attempt.
   */
  public record Outcome(UUID id, String status, String reason, String error, boolean attempted, int delaySeconds) {

    static Outcome done(UUID id, String status, String reason) {
      return new Outcome(id, status, reason, null, true, 0);
    }
  }

  /**
   * Records a batch's outcomes in one statement, on the batch's transaction. Only rows still
   * {@code received} change, so a replay that raced is not undone.
   */
  public Future<Void> finishAll(SqlConnection tx, List<Outcome> outcomes) {
    if (outcomes.isEmpty()) {
      return Future.succeededFuture();
    }
    return tx.preparedQuery(FINISH_ALL).execute(Tuple.tuple()
            .addArrayOfUUID(outcomes.stream().map(Outcome::id).toArray(UUID[]::new))
            .addArrayOfString(outcomes.stream().map(Outcome::status).toArray(String[]::new))
            .addArrayOfString(outcomes.stream().map(Outcome::reason).toArray(String[]::new))
            .addArrayOfString(outcomes.stream().map(o -> TextSafety.storable(o.error())).toArray(String[]::new))
            .addArrayOfInteger(outcomes.stream().map(o -> o.attempted() ? 1 : 0).toArray(Integer[]::new))
            .addArrayOfInteger(outcomes.stream().map(Outcome::delaySeconds).toArray(Integer[]::new)))
        .mapEmpty();
  }

  /**
   * Records a processing error on its own: retried after {@code delaySeconds}, or failed for good
   * when {@code giveUp}. Counts the attempt.
   */
  public Future<Void> retryLater(UUID id, String error, int delaySeconds, boolean giveUp) {
    // The error may quote what the delivery carried; it must be storable, or nothing is recorded.
    return pool.preparedQuery(RETRY_LATER).execute(Tuple.of(id, TextSafety.storable(error), delaySeconds, giveUp))
        .mapEmpty();
  }

  public Future<Optional<Delivery>> find(UUID id) {
    return pool.preparedQuery(FIND).execute(Tuple.of(id)).map(rows -> rows.size() == 0
        ? Optional.empty() : Optional.of(Delivery.fromRow(rows.iterator().next(), true)));
  }

  public record Filter(UUID integrationId, String status, OffsetDateTime since) {}

  public Future<Page<Delivery>> list(Filter f, Cursor after, int limit) {
    Tuple args = Tuple.tuple().addUUID(f.integrationId()).addString(f.status()).addOffsetDateTime(f.since())
        .addOffsetDateTime(after == null ? null : after.at().atOffset(ZoneOffset.UTC))
        .addUUID(after == null ? null : after.uuid())
        .addInteger(limit + 1);
    return pool.preparedQuery(LIST).execute(args).map(rows -> {
      List<Delivery> fetched = new ArrayList<>();
      for (Row row : rows) {
        fetched.add(Delivery.fromRow(row, false));
      }
      return Page.of(fetched, limit, d -> new Cursor(CURSOR_LIST, d.receivedAt().toInstant(), d.id().toString()));
    });
  }

  /** What a replay found: no such delivery, one whose body retention removed, or one put back. */
  public enum Replay { NOT_FOUND, BODY_REMOVED, REPLAYED }

  /** Puts a delivery back in the inbox, unless retention removed its body (nothing to process). */
  public Future<Replay> replay(UUID id) {
    return pool.preparedQuery(REPLAY).execute(Tuple.of(id)).map(rows -> {
      if (rows.size() == 0) {
        return Replay.NOT_FOUND;
      }
      return rows.iterator().next().getBoolean("has_body") ? Replay.REPLAYED : Replay.BODY_REMOVED;
    });
  }

  /** Seconds the oldest unprocessed delivery has waited (0 when the inbox is empty). */
  public Future<Double> lagSeconds() {
    return pool.query(OLDEST_PENDING).execute().map(rows -> {
      Object lag = rows.size() == 0 ? null : rows.iterator().next().getValue("lag");
      return lag == null ? 0.0 : ((Number) lag).doubleValue();
    });
  }
}
