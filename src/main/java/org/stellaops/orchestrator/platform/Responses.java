package org.stellaops.orchestrator.platform;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.function.Function;

/** Writes the one success envelope: {@code {"success":true,"data":…,"meta":{"requestId":…}}}. */
public final class Responses {

  private Responses() {}

  public static JsonObject envelope(RoutingContext ctx, Object data) {
    return new JsonObject()
        .put("success", true)
        .put("data", data)
        .put("meta", new JsonObject().put("requestId", RequestIds.of(ctx)));
  }

  public static Future<Void> ok(RoutingContext ctx, Object data) {
    return send(ctx, 200, envelope(ctx, data));
  }

  public static Future<Void> created(RoutingContext ctx, Object data) {
    return send(ctx, 201, envelope(ctx, data));
  }

  public static Future<Void> noContent(RoutingContext ctx) {
    return ctx.response().setStatusCode(204).end();
  }

  /** A page of a list: the items plus {@code meta.pagination {nextCursor, limit}}. */
  public static <T> Future<Void> page(RoutingContext ctx, Page<T> page, Function<T, JsonObject> toJson) {
    return page(ctx, page, toJson, new JsonObject());
  }

  /** A page of a list, with {@code meta} holding the fields of {@code meta} too. */
  public static <T> Future<Void> page(RoutingContext ctx, Page<T> page, Function<T, JsonObject> toJson,
      JsonObject meta) {
    JsonArray items = new JsonArray();
    page.items().forEach(item -> items.add(toJson.apply(item)));
    JsonObject body = envelope(ctx, items);
    body.getJsonObject("meta").mergeIn(meta).put("pagination",
        new JsonObject().put("nextCursor", page.nextCursor()).put("limit", page.limit()));
    return send(ctx, 200, body);
  }

  public static <T> JsonArray array(List<T> items, Function<T, JsonObject> toJson) {
    JsonArray array = new JsonArray();
    items.forEach(item -> array.add(toJson.apply(item)));
    return array;
  }

  public static Future<Void> send(RoutingContext ctx, int status, JsonObject body) {
    return ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.encode());
  }
}
