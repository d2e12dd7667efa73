package org.stellaops.orchestrator.reporting;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.stellaops.orchestrator.platform.Json;

/**
 * Event subscriptions and their delivery log. The rows to deliver are written by
 * {@code platform.EventOutbox}, in the transactions of the changes they report; this class
 * claims them for sending and records each attempt's outcome.
 */
public final class EventSubscriptionRepository {

  private static final String INSERT = """
      INSERT INTO event_subscription (id, url, events, secret, created_by) VALUES ($1, $2, $3, $4, $5)
      RETURNING id, url, events, created_by, created_at
      """;
  private static final String LIST = """
      SELECT id, url, events, created_by, created_at FROM event_subscription ORDER BY created_at DESC
      """;
  private static final String DELETE = "DELETE FROM event_subscription WHERE id = $1";
  /**
   * Due deliveries, oldest first; each is pushed 60 s into the future as it is claimed, so a
   * replica that dies mid-send leaves it to be claimed again then (at least once).
   */
  private static final String CLAIM = """
      UPDATE event_delivery d SET attempts = attempts + 1, next_attempt_at = now() + interval '60 seconds'
      FROM event_subscription s
      WHERE s.id = d.subscription_id AND d.id IN (SELECT id FROM event_delivery WHERE status = 'pending'
                                                 AND next_attempt_at <= now() ORDER BY id LIMIT $1
                                                 FOR UPDATE SKIP LOCKED)
      RETURNING d.id, d.subscription_id, d.payload, d.attempts, s.url, s.secret
      """;
  private static final String DELIVERED = """
      UPDATE event_delivery SET status = 'delivered', delivered_at = now(), last_status = $2, last_error = NULL
      WHERE id = $1
      """;
  private static final String RETRY = """
      UPDATE event_delivery SET last_status = $2, last_error = $3, next_attempt_at = now() + make_interval(secs => $4),
             status = CASE WHEN $5 THEN 'failed' ELSE status END
      WHERE id = $1
      """;
  private static final String LOG = """
      SELECT id, event_id, event_type, status, attempts, last_status, last_error, created_at, delivered_at
      FROM event_delivery WHERE subscription_id = $1 ORDER BY id DESC LIMIT 200
      """;

  private final Pool pool;

  public EventSubscriptionRepository(Pool pool) {
    this.pool = pool;
  }

  /** A claimed delivery: the CloudEvent to send, where, and with which sealed secret. */
  public record Due(long id, UUID subscriptionId, JsonObject payload, int attempts, String url, byte[] sealedSecret) {

    static Due fromRow(Row row) {
      return new Due(row.getLong("id"), row.getUUID("subscription_id"), (JsonObject) row.getValue("payload"),
          row.getInteger("attempts"), row.getString("url"), row.getBuffer("secret").getBytes());
    }
  }

  public Future<JsonObject> insert(UUID id, String url, List<String> events, byte[] sealedSecret, String createdBy) {
    return pool.preparedQuery(INSERT).execute(Tuple.tuple().addUUID(id).addString(url)
            .addArrayOfString(events.toArray(String[]::new)).addBuffer(Buffer.buffer(sealedSecret))
            .addString(createdBy))
        .map(rows -> fromRow(rows.iterator().next()));
  }

  public Future<JsonArray> list() {
    return pool.query(LIST).execute().map(rows -> {
      JsonArray all = new JsonArray();
      rows.forEach(row -> all.add(fromRow(row)));
      return all;
    });
  }

  /** False when there was no such subscription. Its deliveries go with it. */
  public Future<Boolean> delete(UUID id) {
    return pool.preparedQuery(DELETE).execute(Tuple.of(id)).map(rows -> rows.rowCount() == 1);
  }

  /** The subscription's last 200 deliveries, newest first. */
  public Future<JsonArray> deliveries(UUID subscriptionId) {
    return pool.preparedQuery(LOG).execute(Tuple.of(subscriptionId)).map(rows -> {
      JsonArray log = new JsonArray();
      for (Row row : rows) {
        log.add(new JsonObject().put("id", row.getLong("id")).put("eventId", row.getUUID("event_id").toString())
            .put("type", row.getString("event_type")).put("status", row.getString("status"))
            .put("attempts", row.getInteger("attempts")).put("lastStatus", row.getInteger("last_status"))
            .put("lastError", row.getString("last_error"))
            .put("createdAt", Json.time(row.getOffsetDateTime("created_at")))
            .put("deliveredAt", Json.time(row.getOffsetDateTime("delivered_at"))));
      }
      return log;
    });
  }

  public Future<List<Due>> claim(int limit) {
    return pool.preparedQuery(CLAIM).execute(Tuple.of(limit)).map(rows -> {
      List<Due> due = new ArrayList<>(rows.size());
      rows.forEach(row -> due.add(Due.fromRow(row)));
      return due;
    });
  }

  public Future<Void> delivered(long id, int status) {
    return pool.preparedQuery(DELIVERED).execute(Tuple.of(id, status)).mapEmpty();
  }

  public Future<Void> retry(long id, Integer status, String error, int delaySeconds, boolean giveUp) {
    return pool.preparedQuery(RETRY).execute(Tuple.of(id, status, error, delaySeconds, giveUp)).mapEmpty();
  }

  private static JsonObject fromRow(Row row) {
    return new JsonObject().put("id", row.getUUID("id").toString()).put("url", row.getString("url"))
        .put("events", new JsonArray(List.of((Object[]) row.getArrayOfStrings("events"))))
        .put("createdBy", row.getString("created_by"))
        .put("createdAt", Json.time(row.getOffsetDateTime("created_at")));
  }
}
