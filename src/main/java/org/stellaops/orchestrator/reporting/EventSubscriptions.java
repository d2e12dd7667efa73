package org.stellaops.orchestrator.reporting;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stellaops.orchestrator.auth.Principal;
import org.stellaops.orchestrator.crypto.CredentialCipher;
import org.stellaops.orchestrator.crypto.Hmac;
import org.stellaops.orchestrator.egress.EgressPolicy;
import org.stellaops.orchestrator.platform.ApiException;
import org.stellaops.orchestrator.platform.Backoff;
import org.stellaops.orchestrator.platform.Events;
import org.stellaops.orchestrator.platform.Ids;
import org.stellaops.orchestrator.platform.Validator;

/**
 * Outside subscribers to the gateway's events. An event becomes one outbox row per matching
 * subscription (unique per subscription and event id, so it is queued once), and is delivered
 * as a CloudEvents 1.0 JSON document signed with the subscription's secret
 * ({@code X-Stella-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>}), retried with backoff
 * on anything but a 2xx, with every attempt's outcome kept in the delivery log.
 */
public final class EventSubscriptions {

  private static final Logger LOG = LoggerFactory.getLogger(EventSubscriptions.class);
  private static final Pattern HTTP_URL = Pattern.compile("https?://\\S+");

  /** Event-bus address → the event name subscribers use (the names README lists). */
  public static final Map<String, String> NAMES = Map.of(
      Events.RELEASE_CREATED, "release.created",
      Events.PROMOTION_STARTED, "promotion.started",
      Events.PROMOTION_COMPLETED, "promotion.completed",
      Events.DEPLOYMENT_STARTED, "deployment.started",
      Events.DEPLOYMENT_COMPLETED, "deployment.completed",
      Events.DEPLOYMENT_ROLLBACK_INITIATED, "rollback.initiated",
      Events.CI_RUN_COMPLETED, "ci.run.completed",
      Events.CI_BUILD_COMPLETED, "ci.build.completed",
      Events.REGISTRY_IMAGE_PUSHED, "registry.image.pushed");

  private static final String INSERT = """
      INSERT INTO event_subscription (id, url, events, secret, created_by) VALUES ($1, $2, $3, $4, $5)
      RETURNING id, url, events, created_by, created_at
      """;
  private static final String LIST = "SELECT id, url, events, created_by, created_at FROM event_subscription "
      + "ORDER BY created_at DESC";
  private static final String DELETE = "DELETE FROM event_subscription WHERE id = $1";
  /** Many events, one row per event and subscription to its type, in the order published. */
  private static final String ENQUEUE_ALL = """
      INSERT INTO event_delivery (subscription_id, event_id, event_type, payload)
      SELECT s.id, e.event_id, e.event_type, e.payload::jsonb
      FROM unnest($1::uuid[], $2::text[], $3::text[]) WITH ORDINALITY AS e(event_id, event_type, payload, n)
      JOIN event_subscription s ON e.event_type = ANY (s.events)
      ORDER BY e.n, s.id
      ON CONFLICT (subscription_id, event_id) DO NOTHING
      """;
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
  private static final String LOG_QUERY = """
      SELECT id, event_id, event_type, status, attempts, last_status, last_error, created_at, delivered_at
      FROM event_delivery WHERE subscription_id = $1 ORDER BY id DESC LIMIT 200
      """;

  private final Pool pool;
  private final CredentialCipher cipher;
  private final WebClient http;
  private final EgressPolicy egress;

  public EventSubscriptions(Pool pool, CredentialCipher cipher, WebClient http, EgressPolicy egress) {
    this.pool = pool;
    this.cipher = cipher;
    this.http = http;
    this.egress = egress;
  }

  /** {@code POST /event-subscriptions {url, events[], secret}}; the secret is never returned. */
  public Future<JsonObject> create(JsonObject body, Principal caller) {
    Validator v = new Validator(body);
    String url = v.matching("url", v.requiredString("url", 2048), HTTP_URL, "an http(s) URL");
    egress.checkUrl(v, "url", url);
    List<String> events = v.optionalStringList("events", 20, 64);
    if (events == null || events.isEmpty()) {
      v.error("events", "list at least one of " + new java.util.TreeSet<>(NAMES.values()), "REQUIRED");
    } else {
      for (int i = 0; i < events.size(); i++) {
        if (!NAMES.containsValue(events.get(i))) {
          v.error("events[" + i + "]", "unknown event; known: " + new java.util.TreeSet<>(NAMES.values()),
              "UNKNOWN_EVENT");
        }
      }
    }
    String secret = v.requiredString("secret", 512);
    if (secret != null && secret.length() < 16) {
      v.error("secret", "must be at least 16 characters", "TOO_SHORT");
    }
    v.throwIfInvalid();
    UUID id = UUID.randomUUID();
    byte[] sealed = cipher.encrypt(id, new JsonObject().put("secret", secret));
    return pool.preparedQuery(INSERT).execute(Tuple.tuple().addUUID(id).addString(url)
            .addArrayOfString(events.toArray(String[]::new)).addBuffer(io.vertx.core.buffer.Buffer.buffer(sealed))
            .addString(caller.actor()))
        .map(rows -> toJson(rows.iterator().next()));
  }

  public Future<JsonArray> list() {
    return pool.query(LIST).execute().map(rows -> {
      JsonArray all = new JsonArray();
      rows.forEach(row -> all.add(toJson(row)));
      return all;
    });
  }

  public Future<Void> delete(String id) {
    return pool.preparedQuery(DELETE).execute(Tuple.of(parseId(id))).map(rows -> {
      if (rows.rowCount() == 0) {
        throw ApiException.notFound("event subscription " + id);
      }
      return null;
    });
  }

  public Future<JsonArray> deliveries(String id) {
    return pool.preparedQuery(LOG_QUERY).execute(Tuple.of(parseId(id))).map(rows -> {
      JsonArray log = new JsonArray();
      for (Row row : rows) {
        log.add(new JsonObject().put("id", row.getLong("id")).put("eventId", row.getUUID("event_id").toString())
            .put("type", row.getString("event_type")).put("status", row.getString("status"))
            .put("attempts", row.getInteger("attempts")).put("lastStatus", row.getInteger("last_status"))
            .put("lastError", row.getString("last_error"))
            .put("createdAt", org.stellaops.orchestrator.platform.Json.time(row.getOffsetDateTime("created_at")))
            .put("deliveredAt", org.stellaops.orchestrator.platform.Json.time(row.getOffsetDateTime("delivered_at"))));
      }
      return log;
    });
  }

  /** An event published on the event bus: its address and its data. */
  public record Published(String address, JsonObject data) {}

  /**
   * Queues events published on this replica for every subscription to them, in one statement
   * (events come in bursts: a poll batch ends hundreds of runs at once). Answers one (null) result
   * per event; events no subscriber can know of are skipped.
   */
  public Future<List<Void>> enqueueAll(List<Published> events) {
    List<UUID> ids = new ArrayList<>(events.size());
    List<String> types = new ArrayList<>(events.size());
    List<String> payloads = new ArrayList<>(events.size());
    for (Published event : events) {
      String type = NAMES.get(event.address());
      if (type == null) {
        continue;
      }
      UUID eventId = UUID.randomUUID();
      ids.add(eventId);
      types.add(type);
      payloads.add(new JsonObject()
          .put("specversion", "1.0")
          .put("id", eventId.toString())
          .put("source", "/stella/release-orchestrator")
          .put("type", type)
          .put("time", Instant.now().toString())
          .put("datacontenttype", "application/json")
          .put("data", event.data())
          .encode());
    }
    List<Void> done = java.util.Collections.nCopies(events.size(), null);
    if (ids.isEmpty()) {
      return Future.succeededFuture(done);
    }
    return pool.preparedQuery(ENQUEUE_ALL).execute(Tuple.of(ids.toArray(UUID[]::new), types.toArray(String[]::new),
        payloads.toArray(String[]::new))).map(done);
  }

  /** Delivers what is due; called on a timer. Never fails. */
  public Future<Void> deliverDue() {
    return pool.preparedQuery(CLAIM).execute(Tuple.of(50)).compose(rows -> {
      List<Future<Void>> sends = new ArrayList<>();
      for (Row row : rows) {
        sends.add(deliver(row));
      }
      return Future.all(sends).mapEmpty();
    }).recover(e -> {
      LOG.warn("event delivery round failed: {}", e.getMessage());
      return Future.succeededFuture();
    }).mapEmpty();
  }

  private Future<Void> deliver(Row row) {
    long id = row.getLong("id");
    int attempts = row.getInteger("attempts");
    String body = ((JsonObject) row.getValue("payload")).encode();
    String secret = cipher.decrypt(row.getUUID("subscription_id"), row.getBuffer("secret").getBytes())
        .getString("secret");
    String signature = Hmac.signature(secret, body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return http.postAbs(row.getString("url")).timeout(10_000)
        .putHeader("Content-Type", "application/cloudevents+json; charset=utf-8")
        .putHeader("X-Stella-Signature-256", signature)
        .sendBuffer(io.vertx.core.buffer.Buffer.buffer(body))
        .compose(response -> response.statusCode() / 100 == 2
            ? pool.preparedQuery(DELIVERED).execute(Tuple.of(id, response.statusCode())).mapEmpty()
            : retry(id, response.statusCode(), "subscriber answered " + response.statusCode(), attempts))
        .recover(e -> retry(id, null, e.getMessage(), attempts));
  }

  private Future<Void> retry(long id, Integer status, String error, int attempts) {
    return pool.preparedQuery(RETRY).execute(Tuple.of(id, status, error, Backoff.DELIVERIES.delaySeconds(attempts),
        Backoff.DELIVERIES.giveUp(attempts))).mapEmpty();
  }

  private static JsonObject toJson(Row row) {
    return new JsonObject().put("id", row.getUUID("id").toString()).put("url", row.getString("url"))
        .put("events", new JsonArray(List.of((Object[]) row.getArrayOfStrings("events"))))
        .put("createdBy", row.getString("created_by"))
        .put("createdAt", org.stellaops.orchestrator.platform.Json.time(row.getOffsetDateTime("created_at")));
  }

  private static UUID parseId(String id) {
    return Ids.uuidOr404(id, "event subscription");
  }
}
