package org.stellaops.orchestrator.release;

import io.vertx.ext.web.RoutingContext;
import org.stellaops.orchestrator.auth.Guard;
import org.stellaops.orchestrator.platform.Bodies;
import org.stellaops.orchestrator.platform.Responses;

/** HTTP handlers for /api/v1/components. */
public final class ComponentRoutes {

  private final ComponentService service;

  public ComponentRoutes(ComponentService service) {
    this.service = service;
  }

  public void create(RoutingContext ctx) {
    service.create(CreateComponent.parse(Bodies.jsonObject(ctx)), Guard.principal(ctx))
        .compose(c -> Responses.created(ctx, c.toJson()))
        .onFailure(ctx::fail);
  }

  public void list(RoutingContext ctx) {
    service.list(ctx.queryParams().get("cursor"), ctx.queryParams().get("limit"))
        .compose(page -> Responses.page(ctx, page, Component::toJson))
        .onFailure(ctx::fail);
  }

  public void get(RoutingContext ctx) {
    service.get(ctx.pathParam("id"))
        .compose(c -> Responses.ok(ctx, c.toJson()))
        .onFailure(ctx::fail);
  }

  public void update(RoutingContext ctx) {
    service.update(ctx.pathParam("id"), ComponentPatch.parse(Bodies.jsonObject(ctx)))
        .compose(c -> Responses.ok(ctx, c.toJson()))
        .onFailure(ctx::fail);
  }

  public void delete(RoutingContext ctx) {
    service.delete(ctx.pathParam("id"))
        .compose(v -> Responses.noContent(ctx))
        .onFailure(ctx::fail);
  }
}
