package org.stellaops.orchestrator.release;

import io.vertx.ext.web.RoutingContext;
import org.stellaops.orchestrator.auth.Guard;
import org.stellaops.orchestrator.platform.Bodies;
import org.stellaops.orchestrator.platform.Responses;

/** HTTP handlers for /api/v1/components/{id}/versions. */
public final class VersionMapRoutes {

  private final VersionMapService service;

  public VersionMapRoutes(VersionMapService service) {
    this.service = service;
  }

  public void list(RoutingContext ctx) {
    var q = ctx.queryParams();
    service.list(ctx.pathParam("id"), q.get("tag"), q.get("channel"), q.get("cursor"), q.get("limit"))
        .compose(page -> Responses.page(ctx, page, VersionEntry::toJson))
        .onFailure(ctx::fail);
  }

  /** 201 when the tag is new or moved, 200 when it already pointed at this digest. */
  public void record(RoutingContext ctx) {
    service.recordManual(ctx.pathParam("id"), RecordVersion.parse(Bodies.jsonObject(ctx)), Guard.principal(ctx))
        .compose(recorded -> recorded.changed()
            ? Responses.created(ctx, recorded.entry().toJson())
            : Responses.ok(ctx, recorded.entry().toJson()))
        .onFailure(ctx::fail);
  }

  public void history(RoutingContext ctx) {
    service.history(ctx.pathParam("id"), ctx.pathParam("tag"))
        .compose(moves -> Responses.ok(ctx, Responses.array(moves, VersionEntry.Move::toJson)))
        .onFailure(ctx::fail);
  }
}
