package org.stellaops.orchestrator.reporting;

import io.vertx.ext.web.RoutingContext;
import org.stellaops.orchestrator.auth.Guard;
import org.stellaops.orchestrator.egress.EgressPolicy;
import org.stellaops.orchestrator.platform.Bodies;
import org.stellaops.orchestrator.platform.Responses;

/** HTTP handlers for /api/v1/event-subscriptions. */
public final class EventSubscriptionRoutes {

  private final EventSubscriptions subscriptions;
  private final EgressPolicy egress;

  public EventSubscriptionRoutes(EventSubscriptions subscriptions, EgressPolicy egress) {
    this.subscriptions = subscriptions;
    this.egress = egress;
  }

  public void create(RoutingContext ctx) {
    subscriptions.create(CreateSubscription.parse(Bodies.jsonObject(ctx), egress), Guard.principal(ctx))
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
