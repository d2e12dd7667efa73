package org.stellaops.orchestrator.platform;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The outbox of the events outside subscribers hear about. A state change writes its events
 * here on its own connection, inside its own transaction: the event rows commit or roll back
 * with the change, so a process that dies after the commit has already queued them, and a
 * change that rolled back queued nothing. Each event becomes one {@code event_delivery} row per
 * subscription to its type, holding the whole CloudEvents 1.0 document; the delivery worker
 * ({@code reporting.EventSubscriptions}) sends those rows, at least once, and every attempt
 * sends the same document with the same {@code id}, so a subscriber can drop repeats by it.
 */
public final class EventOutbox {

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

  static final String SOURCE = "/stella/release-orchestrator";

  /** Many events, one row per event and subscription to its type, in the order given. */
  private static final String ENQUEUE_ALL = """
      INSERT INTO event_delivery (subscription_id, event_id, event_type, payload)
      SELECT s.id, e.event_id, e.event_type, e.payload::jsonb
      FROM unnest($1::uuid[], $2::text[], $3::text[]) WITH ORDINALITY AS e(event_id, event_type, payload, n)
      JOIN event_subscription s ON e.event_type = ANY (s.events)
      ORDER BY e.n, s.id
      ON CONFLICT (subscription_id, event_id) DO NOTHING
      """;

  /** An event: its event-bus address and its data. */
  public record Event(String address, JsonObject data) {}

  /**
   * Queues {@code events} on {@code conn}, which must be the connection of the transaction that
   * makes the change they report; they become visible to the delivery worker when it commits.
   * Events of an address no subscriber can name are skipped.
   */
  public Future<Void> enqueue(SqlConnection conn, List<Event> events) {
    List<UUID> ids = new ArrayList<>(events.size());
    List<String> types = new ArrayList<>(events.size());
    List<String> payloads = new ArrayList<>(events.size());
    Instant now = Instant.now();
    for (Event event : events) {
      String type = NAMES.get(event.address());
      if (type != null) {
        UUID id = UUID.randomUUID();
        ids.add(id);
        types.add(type);
        payloads.add(cloudEvent(id, type, now, event.data()).encode());
      }
    }
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(ENQUEUE_ALL).execute(Tuple.of(ids.toArray(UUID[]::new), types.toArray(String[]::new),
        payloads.toArray(String[]::new))).mapEmpty();
  }

  /** The CloudEvents 1.0 JSON document of one event (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md). Pure. */
  static JsonObject cloudEvent(UUID id, String type, Instant time, JsonObject data) {
    return new JsonObject()
        .put("specversion", "1.0")
        .put("id", id.toString())
        .put("source", SOURCE)
        .put("type", type)
        .put("time", time.toString())
        .put("datacontenttype", "application/json")
        .put("data", data);
  }
}
