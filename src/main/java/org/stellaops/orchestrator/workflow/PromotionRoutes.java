package org.stellaops.orchestrator.workflow;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.stellaops.orchestrator.auth.Guard;
import org.stellaops.orchestrator.auth.Permission;
import org.stellaops.orchestrator.platform.Bodies;
import org.stellaops.orchestrator.platform.Responses;

/** HTTP handlers for /api/v1/promotions and /api/v1/deployments. */
public final class PromotionRoutes {

  private final PromotionEngine engine;

  public PromotionRoutes(PromotionEngine engine) {
    this.engine = engine;
  }

  public void create(RoutingContext ctx) {
    engine.start(Bodies.jsonObject(ctx), Guard.principal(ctx))
        .compose(p -> Responses.created(ctx, p.toJson(variablesFor(ctx))))
        .onFailure(ctx::fail);
  }

  public void list(RoutingContext ctx) {
    engine.list(ctx.queryParams().get("releaseId"))
        .compose(all -> Responses.ok(ctx, Responses.array(all, p -> p.toJson(variablesFor(ctx)))))
        .onFailure(ctx::fail);
  }

  public void get(RoutingContext ctx) {
    engine.get(ctx.pathParam("id")).compose(p -> Responses.ok(ctx, p.toJson(variablesFor(ctx)))).onFailure(ctx::fail);
  }

  public void cancel(RoutingContext ctx) {
    engine.cancel(ctx.pathParam("id")).compose(p -> Responses.ok(ctx, p.toJson(variablesFor(ctx)))).onFailure(ctx::fail);
  }

  public void approve(RoutingContext ctx) {
    decide(ctx, true);
  }

  public void reject(RoutingContext ctx) {
    decide(ctx, false);
  }

  private void decide(RoutingContext ctx, boolean approve) {
    var raw = ctx.body().buffer();
    JsonObject body = raw == null || raw.length() == 0 ? new JsonObject() : Bodies.jsonObject(ctx);
    engine.decide(ctx.pathParam("id"), approve, body.getString("comment"), Guard.principal(ctx))
        .compose(p -> Responses.ok(ctx, p.toJson(variablesFor(ctx))))
        .onFailure(ctx::fail);
  }

  public void deployment(RoutingContext ctx) {
    engine.job(ctx.pathParam("jobId")).compose(job -> Responses.ok(ctx, job)).onFailure(ctx::fail);
  }

  public void deployments(RoutingContext ctx) {
    engine.jobs(ctx.queryParams().get("environmentId"))
        .compose(all -> Responses.ok(ctx, new io.vertx.core.json.JsonArray(all)))
        .onFailure(ctx::fail);
  }

  public void rollback(RoutingContext ctx) {
    engine.rollback(ctx.pathParam("jobId"), Guard.principal(ctx))
        .compose(p -> Responses.created(ctx, p.toJson(variablesFor(ctx))))
        .onFailure(ctx::fail);
  }

  /** Needs no gateway account: the deploy target proves itself with the job's callback token. */
  public void callback(RoutingContext ctx) {
    engine.deployCallback(ctx.pathParam("jobId"), callbackToken(ctx), () -> Bodies.jsonObject(ctx))
        .compose(v -> Responses.send(ctx, 202, Responses.envelope(ctx, new JsonObject().put("accepted", true))))
        .onFailure(ctx::fail);
  }

  /** {@code X-Stella-Callback-Token: <token>}, else {@code Authorization: Bearer <token>}; null when neither. */
  static String callbackToken(RoutingContext ctx) {
    String header = ctx.request().getHeader(CallbackTokens.HEADER);
    if (header != null && !header.isBlank()) {
      return header.trim();
    }
    String authorization = ctx.request().getHeader("Authorization");
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        && !authorization.substring(7).isBlank()) {
      return authorization.substring(7).trim();
    }
    return null;
  }

  /** Pipeline variables in step configs are shown only to holders of integration:update. */
  private static boolean variablesFor(RoutingContext ctx) {
    return Guard.principal(ctx) != null && Guard.principal(ctx).can(Permission.INTEGRATION_UPDATE);
  }
}
