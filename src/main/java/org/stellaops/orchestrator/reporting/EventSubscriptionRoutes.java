package org.stellaops.orchestrator.reporting;

import io.vertx.ext.web.RoutingContext;
import org.stellaops.orchestrator.auth.Guard;
import org.stellaops.orchestrator.platform.Bodies;
import org.stellaops.orchestrator.platform.Responses;

/** HTTP handlers for /api/v1/event-subscriptions. */
public final class EventSubscriptionRoutes {

  private final EventSubscriptions subscriptions;

  public EventSubscriptionRoutes(EventSubscriptions subscriptions) {
    this.subscriptions = subscriptions;
  }

  public void create(RoutingContext ctx) {
    subscriptions.create(Bodies.jsonObject(ctx), Guard.principal(ctx))
        .compose(s -> Responses.created(ctx, s))
        .onFailure(ctx::fail);
  }

  public void list(RoutingContext ctx) {
    subscriptions.list().compose(all -> Responses.ok(ctx, all)).onFailure(ctx::fail);
  }

  public void delete(RoutingContext ctx) {
    subscriptions.delete(ctx.pathParam("id")).compose(v -> Responses.noContent(ctx)).onFailure(ctx::fail);
  }

  public void deliveries(RoutingContext ctx) {
    subscriptions.deliveries(ctx.pathParam("id")).compose(log -> Responses.ok(ctx, log)).onFailure(ctx::fail);
  }
}
