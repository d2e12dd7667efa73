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
import org.stellaops.orchestrator.platform.Cursor;
import org.stellaops.orchestrator.platform.Ids;
import org.stellaops.orchestrator.platform.Page;
import org.stellaops.orchestrator.platform.TextSafety;

/**
 * The webhook inbox's rows. Inserts are idempotent on (source, delivery_key), through the 16-byte
 * {@code dedup_key} PostgreSQL derives from them (migration V10), and put each row in its
 * integration's partition of the log ({@link InboxLog}), which the processor reads. A row is
 * written again only when its outcome is not the normal one ({@link #finishAll}); the status the
 * API reports is read through the view {@code webhook_delivery_state}, which reports a row the log
 * has moved past as {@code processed} (migration V26).
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
                                    headers, body, part, processed_at)
      SELECT id, src, iid, typ, k, st, rsn, hdr::jsonb, bdy, prt, CASE WHEN st = 'received' THEN NULL ELSE now() END
      FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                  $9::bytea[], $10::int[]) AS t(id, src, iid, typ, k, st, rsn, hdr, bdy, prt)
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
   * Every outcome of a batch in one statement: {@code processed} or {@code ignored} (with the
   * reason), {@code failed}, or {@code received} again with the error and the time of the next
   * attempt. {@code tried} is 1 for a delivery that was attempted, 0 for one given up unattempted.
   */
  private static final String FINISH_ALL = """
      UPDATE webhook_delivery AS d
      SET status = f.status, reason = f.reason, error = f.error, attempts = d.attempts + f.tried,
          processed_at = CASE WHEN f.status = 'received' THEN NULL ELSE now() END,
          retry_at = CASE WHEN f.status = 'received' THEN now() + make_interval(secs => f.delay) END
      FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[])
           AS f(id, status, reason, error, tried, delay)
      WHERE d.id = f.id AND d.status = 'received'
      """;
  private static final String FIND = "SELECT " + COLUMNS + ", body FROM webhook_delivery_state WHERE id = $1";
  private static final String LIST = "SELECT " + COLUMNS + " FROM webhook_delivery_state "
      + "WHERE ($1::uuid IS NULL OR integration_id = $1) AND ($2::text IS NULL OR status = $2) "
      + "AND ($3::timestamptz IS NULL OR received_at >= $3) "
      + "AND ($4::timestamptz IS NULL OR (received_at, id) < ($4, $5::uuid)) "
      + "ORDER BY received_at DESC, id DESC LIMIT $6";
  /**
   * Puts a delivery that still has its body back in the inbox, on the retry path (due at once);
   * answers whether it exists and has one, and whether it was put back ({@code done}: a row
   * retention deleted in between was not). A delivery still waiting in the log is left there: it
   * is about to be worked, and putting it on the retry path as well could work it twice.
   */
  private static final String REPLAY = """
      WITH target AS (SELECT id, octet_length(body) > 0 AS has_body,
                             status <> 'received' OR retry_at IS NOT NULL AS off_log
                      FROM webhook_delivery_state WHERE id = $1),
           replayed AS (
             UPDATE webhook_delivery d SET status = 'received', reason = NULL, error = NULL, processed_at = NULL,
                                           retry_at = now(), attempts = 0
             FROM target t WHERE d.id = t.id AND t.has_body AND t.off_log
             RETURNING d.id)
      SELECT has_body, off_log, EXISTS (SELECT 1 FROM replayed) AS done FROM target
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
    Integer[] parts = new Integer[n];
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
      parts[i] = InboxLog.partitionOf(d.integrationId(), d.source());
    }
    Tuple args = Tuple.tuple().addArrayOfUUID(ids).addArrayOfString(sources).addArrayOfUUID(integrations)
        .addArrayOfString(types).addArrayOfString(keys).addArrayOfString(statuses).addArrayOfString(reasons)
        .addArrayOfString(headers).addArrayOfBuffer(bodies)
        .addArrayOfInteger(parts);
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
      Row row = rows.iterator().next();
      return replayOutcome(row.getBoolean("has_body"), row.getBoolean("off_log"), row.getBoolean("done"));
    });
  }

  /**
   * What a replay found, from the delivery as it was read: without its body it cannot be
   * replayed; one off the log that was not put back was deleted in between (not found); one still
   * waiting in the log counts as replayed, since it is about to be worked. Pure.
   */
  static Replay replayOutcome(boolean hasBody, boolean offLog, boolean done) {
    if (!hasBody) {
      return Replay.BODY_REMOVED;
    }
    return offLog && !done ? Replay.NOT_FOUND : Replay.REPLAYED;
  }
}
