package org.stellaops.orchestrator.webhook;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.stellaops.orchestrator.platform.Json;

/** A stored delivery: the raw body as received, and where processing stands. */
public record Delivery(
    long seq,
    UUID id,
    String source,
    UUID integrationId,
    String integrationType,
    String deliveryKey,
    String status,
    String reason,
    String error,
    JsonObject headers,
    byte[] body,
    OffsetDateTime receivedAt,
    OffsetDateTime processedAt,
    int attempts) {

  public static final String RECEIVED = "received";
  public static final String PROCESSED = "processed";
  public static final String IGNORED = "ignored";
  public static final String FAILED = "failed";

  static Delivery fromRow(Row row, boolean withBody) {
    return new Delivery(
        row.getLong("seq"),
        row.getUUID("id"),
        row.getString("source"),
        row.getUUID("integration_id"),
        row.getString("integration_type"),
        row.getString("delivery_key"),
        row.getString("status"),
        row.getString("reason"),
        row.getString("error"),
        // Written by the gateway as an object; a row written otherwise must not fail a whole claim.
        row.getValue("headers") instanceof JsonObject headers ? headers : new JsonObject(),
        withBody ? row.getBuffer("body").getBytes() : null,
        row.getOffsetDateTime("received_at"),
        row.getOffsetDateTime("processed_at"),
        row.getInteger("attempts"));
  }

  public JsonObject toJson() {
    return toJson(true);
  }

  /**
   * The delivery as the API shows it; the body only when it was read and {@code withBody} is
   * true. Raw bodies can hold whatever a sender put in them, so only callers who may change
   * integrations read them; others get the parsed outcome (status, reason, headers kept).
   */
  public JsonObject toJson(boolean withBody) {
    JsonObject json = new JsonObject()
        .put("id", id.toString())
        .put("integrationId", integrationId == null ? null : integrationId.toString())
        .put("integrationType", integrationType)
        .put("senderDeliveryId", deliveryKey)
        .put("status", status)
        .put("reason", reason)
        .put("error", error)
        .put("attempts", attempts)
        .put("receivedAt", Json.time(receivedAt))
        .put("processedAt", Json.time(processedAt));
    if (body != null) {
      json.put("headers", headers);
      if (withBody) {
        json.put("body", new String(body, StandardCharsets.UTF_8));
      }
    }
    return json;
  }
}
