package org.stellaops.orchestrator.integration;

import io.vertx.ext.web.RoutingContext;
import org.stellaops.orchestrator.auth.Guard;
import org.stellaops.orchestrator.egress.EgressPolicy;
import org.stellaops.orchestrator.platform.Bodies;
import org.stellaops.orchestrator.platform.Responses;

/**
 * HTTP handlers for /api/v1/integrations. The connectivity check of CI integrations is the CI
 * feature's ({@code ci.ConnectivityCheckRoutes}): it needs the CI connectors.
 */
public final class IntegrationRoutes {

  private final IntegrationService service;
  private final EgressPolicy egress;

  public IntegrationRoutes(IntegrationService service, EgressPolicy egress) {
    this.service = service;
    this.egress = egress;
  }

  public void create(RoutingContext ctx) {
    service.create(CreateIntegration.parse(Bodies.jsonObject(ctx), egress), Guard.principal(ctx))
        .compose(i -> Responses.created(ctx, i.toJson()))
        .onFailure(ctx::fail);
  }

  public void list(RoutingContext ctx) {
    var q = ctx.queryParams();
    service.list(q.get("type"), q.get("cursor"), q.get("limit"))
        .compose(page -> Responses.page(ctx, page, Integration::toJson))
        .onFailure(ctx::fail);
  }

  public void get(RoutingContext ctx) {
    service.get(ctx.pathParam("id")).compose(i -> Responses.ok(ctx, i.toJson())).onFailure(ctx::fail);
  }

  public void update(RoutingContext ctx) {
    service.update(ctx.pathParam("id"), IntegrationPatch.parse(Bodies.jsonObject(ctx)))
        .compose(i -> Responses.ok(ctx, i.toJson()))
        .onFailure(ctx::fail);
  }

  public void delete(RoutingContext ctx) {
    service.delete(ctx.pathParam("id")).compose(v -> Responses.noContent(ctx)).onFailure(ctx::fail);
  }
}
