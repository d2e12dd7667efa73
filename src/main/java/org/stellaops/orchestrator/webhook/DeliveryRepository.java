package org.stellaops.orchestrator.webhook;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
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
import org.stellaops.orchestrator.platform.EventOutbox;
import org.stellaops.orchestrator.platform.InTransaction;
import org.stellaops.orchestrator.platform.Ids;
import org.stellaops.orchestrator.platform.Page;
import org.stellaops.orchestrator.platform.TextSafety;

/**
 * The webhook inbox. Inserts are idempotent on (source, delivery_key), through the 16-byte
 * {@code dedup_key} PostgreSQL derives from them (migration V10); processing claims rows
 * with {@code FOR UPDATE SKIP LOCKED} and a lease ({@code claimed_until}) so a crashed
 * processor's rows are taken up again once the lease runs out.
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
   * Claims the oldest received deliveries whose lease ran out. One that already used up its
   * attempts (its last outcome was never recorded: a crash, or the recording itself failed) is
   * marked failed instead of being tried again, so no delivery is attempted more than the limit
   * and none comes back first on every claim.
   */
  private static final String CLAIM = """
      UPDATE webhook_delivery
      SET claimed_until = CASE WHEN attempts >= $3 THEN NULL ELSE now() + make_interval(secs => $2) END,
          attempts = CASE WHEN attempts >= $3 THEN attempts ELSE attempts + 1 END,
          status = CASE WHEN attempts >= $3 THEN 'failed' ELSE status END,
          processed_at = CASE WHEN attempts >= $3 THEN now() ELSE processed_at END,
          error = CASE WHEN attempts >= $3
                       THEN 'gave up after ' || attempts || ' attempts without a recorded outcome'
                            || coalesce(' (last error: ' || error || ')', '')
                       ELSE error END
      WHERE seq IN (SELECT seq FROM webhook_delivery
                    WHERE status = 'received' AND (claimed_until IS NULL OR claimed_until < now())
                    ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING %s, body
      """.formatted(COLUMNS.strip());
  private static final String FINISH_ALL = """
      UPDATE webhook_delivery AS d
      SET status = f.status, reason = f.reason, error = NULL, processed_at = now(), claimed_until = NULL
      FROM unnest($1::uuid[], $2::text[], $3::text[]) AS f(id, status, reason)
      WHERE d.id = f.id AND d.status = 'received'
      RETURNING d.id
      """;
  private static final String RETRY_LATER = """
      UPDATE webhook_delivery
      SET error = $2, claimed_until = now() + make_interval(secs => $3),
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
  private static final String REPLAY = """
      UPDATE webhook_delivery SET status = 'received', reason = NULL, error = NULL, processed_at = NULL,
                                  claimed_until = NULL, attempts = 0
      WHERE id = $1
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
   * Claims up to {@code limit} received deliveries, oldest first, for {@code leaseSeconds}. Those
   * that had already been attempted {@code maxAttempts} times come back {@code failed} instead.
   */
  public Future<List<Delivery>> claim(int limit, int leaseSeconds, int maxAttempts) {
    return pool.preparedQuery(CLAIM).execute(Tuple.of(limit, leaseSeconds, maxAttempts)).map(rows -> {
      List<Delivery> claimed = new ArrayList<>();
      rows.forEach(row -> claimed.add(Delivery.fromRow(row, true)));
      claimed.sort(java.util.Comparator.comparingLong(Delivery::seq));
      return claimed;
    });
  }

  /**
   * The outcome of processing one delivery: {@code processed} or {@code ignored}, why, and the
   * subscriber events it produced.
   */
  public record Outcome(UUID id, String status, String reason, List<EventOutbox.Event> events) {}

  /**
   * Records the outcomes of a processed batch in one statement (one commit instead of one per
   * delivery), and runs {@code also} for the outcomes it recorded (their events) in the same
   * transaction. Only rows still {@code received} change, so a replay that raced is not undone,
   * and an outcome someone else recorded first is not passed to {@code also}.
   */
  public Future<Void> finishAll(List<Outcome> outcomes, InTransaction<List<Outcome>> also) {
    if (outcomes.isEmpty()) {
      return Future.succeededFuture();
    }
    UUID[] ids = outcomes.stream().map(Outcome::id).toArray(UUID[]::new);
    String[] statuses = outcomes.stream().map(Outcome::status).toArray(String[]::new);
    String[] reasons = outcomes.stream().map(Outcome::reason).toArray(String[]::new);
    return pool.withTransaction(conn -> conn.preparedQuery(FINISH_ALL)
        .execute(Tuple.tuple().addArrayOfUUID(ids).addArrayOfString(statuses).addArrayOfString(reasons))
        .compose(rows -> {
          java.util.Set<UUID> finished = new java.util.HashSet<>();
          rows.forEach(row -> finished.add(row.getUUID("id")));
          return also.write(conn, outcomes.stream().filter(o -> finished.contains(o.id())).toList());
        }));
  }

  /** Records a processing error: retried after {@code delaySeconds}, or failed for good when {@code giveUp}. */
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

  /** Puts a delivery back in the inbox; true when it exists. */
  public Future<Boolean> replay(UUID id) {
    return pool.preparedQuery(REPLAY).execute(Tuple.of(id)).map(rows -> rows.rowCount() == 1);
  }

  /** Seconds the oldest unprocessed delivery has waited (0 when the inbox is empty). */
  public Future<Double> lagSeconds() {
    return pool.query(OLDEST_PENDING).execute().map(rows -> {
      Object lag = rows.size() == 0 ? null : rows.iterator().next().getValue("lag");
      return lag == null ? 0.0 : ((Number) lag).doubleValue();
    });
  }
}
