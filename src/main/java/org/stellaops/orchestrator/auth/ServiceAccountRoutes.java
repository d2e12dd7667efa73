package org.stellaops.orchestrator.auth;

import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import org.stellaops.orchestrator.platform.Bodies;
import org.stellaops.orchestrator.platform.Responses;

/** HTTP handlers for /api/v1/service-accounts; each parses, calls one use case, writes the envelope. */
public final class ServiceAccountRoutes {

  private final ServiceAccountService service;

  public ServiceAccountRoutes(ServiceAccountService service) {
    this.service = service;
  }

  public void create(RoutingContext ctx) {
    service.create(CreateServiceAccount.parse(Bodies.jsonObject(ctx), Instant.now()), Guard.principal(ctx))
        .compose(created -> Responses.created(ctx, created))
        .onFailure(ctx::fail);
  }

  public void list(RoutingContext ctx) {
    service.list(ctx.queryParams().get("cursor"), ctx.queryParams().get("limit"))
        .compose(page -> Responses.page(ctx, page, ServiceAccount::toJson))
        .onFailure(ctx::fail);
  }

  public void get(RoutingContext ctx) {
    service.get(ctx.pathParam("id"))
        .compose(account -> Responses.ok(ctx, account.toJson()))
        .onFailure(ctx::fail);
  }

  public void revoke(RoutingContext ctx) {
    service.revoke(ctx.pathParam("id"))
        .compose(v -> Responses.noContent(ctx))
        .onFailure(ctx::fail);
  }
}
