package org.stellaops.orchestrator.ci;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.stellaops.orchestrator.auth.Guard;
import org.stellaops.orchestrator.auth.Permission;
import org.stellaops.orchestrator.platform.Bodies;
import org.stellaops.orchestrator.platform.Responses;

/** HTTP handlers for /api/v1/pipeline-runs. */
public final class PipelineRunRoutes {

  private final PipelineRunService service;

  public PipelineRunRoutes(PipelineRunService service) {
    this.service = service;
  }

  public void trigger(RoutingContext ctx) {
    service.trigger(TriggerRun.parse(Bodies.jsonObject(ctx)), Guard.principal(ctx))
        .compose(run -> Responses.created(ctx, view(ctx, run)))
        .onFailure(ctx::fail);
  }

  public void watch(RoutingContext ctx) {
    service.watch(WatchRun.parse(Bodies.jsonObject(ctx)), Guard.principal(ctx))
        .compose(run -> Responses.created(ctx, view(ctx, run)))
        .onFailure(ctx::fail);
  }

  public void get(RoutingContext ctx) {
    service.get(ctx.pathParam("id")).compose(run -> Responses.ok(ctx, view(ctx, run))).onFailure(ctx::fail);
  }

  public void list(RoutingContext ctx) {
    var q = ctx.queryParams();
    service.list(q.get("status"), q.get("integrationId"), q.get("cursor"), q.get("limit"))
        .compose(page -> Responses.page(ctx, page, run -> view(ctx, run)))
        .onFailure(ctx::fail);
  }

  /** {@code variables} only for callers holding {@code integration:update}; others get the run without them. */
  private static JsonObject view(RoutingContext ctx, PipelineRun run) {
    return run.toJson(Guard.principal(ctx).can(Permission.INTEGRATION_UPDATE));
  }

  public void cancel(RoutingContext ctx) {
    service.cancel(ctx.pathParam("id")).compose(run -> Responses.ok(ctx, view(ctx, run))).onFailure(ctx::fail);
  }
}
