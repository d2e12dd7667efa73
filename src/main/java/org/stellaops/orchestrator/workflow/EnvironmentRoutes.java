package org.stellaops.orchestrator.workflow;

import io.vertx.ext.web.RoutingContext;
import org.stellaops.orchestrator.auth.Guard;
import org.stellaops.orchestrator.auth.Permission;
import org.stellaops.orchestrator.platform.Bodies;
import org.stellaops.orchestrator.platform.Responses;

/** HTTP handlers for /api/v1/environments. */
public final class EnvironmentRoutes {

  private final EnvironmentService service;

  public EnvironmentRoutes(EnvironmentService service) {
    this.service = service;
  }

  public void create(RoutingContext ctx) {
    service.create(CreateEnvironment.parse(Bodies.jsonObject(ctx)), Guard.principal(ctx))
        .compose(e -> Responses.created(ctx, e.toJson(variablesFor(ctx))))
        .onFailure(ctx::fail);
  }

  /** All environments in promotion order (there are few; no pagination). */
  public void list(RoutingContext ctx) {
    service.list()
        .compose(all -> Responses.ok(ctx, Responses.array(all, e -> e.toJson(variablesFor(ctx)))))
        .onFailure(ctx::fail);
  }

  public void get(RoutingContext ctx) {
    service.get(ctx.pathParam("id")).compose(e -> Responses.ok(ctx, e.toJson(variablesFor(ctx)))).onFailure(ctx::fail);
  }

  public void update(RoutingContext ctx) {
    service.update(ctx.pathParam("id"), EnvironmentPatch.parse(Bodies.jsonObject(ctx)))
        .compose(e -> Responses.ok(ctx, e.toJson(variablesFor(ctx))))
        .onFailure(ctx::fail);
  }

  public void delete(RoutingContext ctx) {
    service.delete(ctx.pathParam("id")).compose(v -> Responses.noContent(ctx)).onFailure(ctx::fail);
  }

  /** Pipeline variables in step configs are shown only to holders of integration:update. */
  private static boolean variablesFor(RoutingContext ctx) {
    return Guard.principal(ctx) != null && Guard.principal(ctx).can(Permission.INTEGRATION_UPDATE);
  }
}
