package org.stellaops.orchestrator.webhook;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.stellaops.orchestrator.auth.Guard;
import org.stellaops.orchestrator.auth.Permission;
import org.stellaops.orchestrator.platform.ApiException;
import org.stellaops.orchestrator.platform.Cursor;
import org.stellaops.orchestrator.platform.Ids;
import org.stellaops.orchestrator.platform.Responses;
import org.stellaops.orchestrator.platform.ValidationError;

/** {@code /api/v1/webhook-deliveries}: the inbox, readable and replayable. */
public final class DeliveryRoutes {

  private static final Set<String> STATUSES = Set.of(Delivery.RECEIVED, Delivery.PROCESSED, Delivery.IGNORED,
      Delivery.FAILED);

  private final DeliveryRepository repository;
  private final EventBus eventBus;
  private final Duration retention;

  /** {@code retention}: how long finished deliveries are kept ({@code retention.deliveries}). */
  public DeliveryRoutes(DeliveryRepository repository, EventBus eventBus, Duration retention) {
    this.repository = repository;
    this.eventBus = eventBus;
    this.retention = retention;
  }

  public void list(RoutingContext ctx) {
    var q = ctx.queryParams();
    List<ValidationError> errors = new ArrayList<>();
    UUID integration = null;
    if (q.get("integrationId") != null) {
      integration = Ids.uuidOrNull(q.get("integrationId"));
      if (integration == null) {
        errors.add(new ValidationError("integrationId", "must be a UUID", "INVALID_FORMAT"));
      }
    }
    String status = q.get("status");
    if (status != null && !STATUSES.contains(status)) {
      errors.add(new ValidationError("status", "must be one of " + STATUSES, "INVALID_VALUE"));
    }
    OffsetDateTime since = null;
    if (q.get("since") != null) {
      try {
        since = OffsetDateTime.parse(q.get("since"));
      } catch (DateTimeParseException e) {
        errors.add(new ValidationError("since", "must be an ISO-8601 timestamp", "INVALID_FORMAT"));
      }
    }
    if (!errors.isEmpty()) {
      throw ApiException.validation(errors);
    }
    String cursor = q.get("cursor");
    repository.list(new DeliveryRepository.Filter(integration, status, since),
            cursor == null ? null : Cursor.decode(DeliveryRepository.CURSOR_LIST, cursor), Cursor.limit(q.get("limit")))
        .compose(page -> Responses.page(ctx, page, Delivery::toJson, retentionMeta(retention, Instant.now())))
        .onFailure(ctx::fail);
  }

  /**
   * How far back the list reaches: deliveries processed, ignored or failed that were received
   * before {@code since} may have been removed (or kept without their body); deliveries still to
   * be processed are kept whatever their age. Pure.
   */
  static JsonObject retentionMeta(Duration retention, Instant now) {
    String keptFor = retention.toSeconds() % 86_400 == 0 ? "P" + retention.toDays() + "D" : retention.toString();
    return new JsonObject().put("retention", new JsonObject().put("keptFor", keptFor)
        .put("since", now.minus(retention).truncatedTo(ChronoUnit.SECONDS).toString()));
  }

  public void get(RoutingContext ctx) {
    UUID id = parse(ctx.pathParam("id"));
    repository.find(id)
        .map(found -> found.orElseThrow(() -> ApiException.notFound("webhook delivery " + id)))
        .compose(d -> Responses.ok(ctx, d.toJson(Guard.principal(ctx).can(Permission.INTEGRATION_UPDATE))))
        .onFailure(ctx::fail);
  }

  /** Processing again is safe: every effect of a delivery is idempotent. */
  public void replay(RoutingContext ctx) {
    UUID id = parse(ctx.pathParam("id"));
    repository.replay(id).compose(found -> {
      if (found == DeliveryRepository.Replay.NOT_FOUND) {
        throw ApiException.notFound("webhook delivery " + id);
      }
      if (found == DeliveryRepository.Replay.BODY_REMOVED) {
        throw ApiException.of(409, "DELIVERY_BODY_REMOVED", "webhook delivery " + id + " is older than the "
            + "retention of deliveries (retention.deliveries); its body was removed and only its key kept, to "
            + "recognise the same body sent again, so it cannot be replayed");
      }
      eventBus.send(WebhookRoutes.WAKE_PROCESSOR, null);
      return Responses.send(ctx, 202, Responses.envelope(ctx,
          new JsonObject().put("deliveryId", id.toString()).put("status", Delivery.RECEIVED)));
    }).onFailure(ctx::fail);
  }

  private static UUID parse(String id) {
    return Ids.uuidOr404(id, "webhook delivery");
  }
}
