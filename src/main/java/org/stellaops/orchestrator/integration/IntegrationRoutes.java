package org.stellaops.orchestrator.integration;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import org.stellaops.orchestrator.ci.Connectors;
import org.stellaops.orchestrator.egress.EgressDeniedException;
import org.stellaops.orchestrator.platform.ApiException;
import org.stellaops.orchestrator.auth.Guard;
import org.stellaops.orchestrator.platform.Bodies;
import org.stellaops.orchestrator.platform.Responses;

/** HTTP handlers for /api/v1/integrations. */
public final class IntegrationRoutes {

  private final IntegrationService service;
  private final Connectors connectors;

  public IntegrationRoutes(IntegrationService service, Connectors connectors) {
    this.service = service;
    this.connectors = connectors;
  }

  /**
   * {@code POST /integrations/{id}/test}: checks connectivity and credentials with the vendor;
   * 200 with what was verified, or 422 saying what failed ({@code EGRESS_DENIED} when the
   * egress policy kept the request from being sent).
   */
  public void test(RoutingContext ctx) {
    UUID id = IntegrationService.parseId(ctx.pathParam("id"));
    service.resolve(id)
        .map(found -> found.orElseThrow(() -> ApiException.notFound("integration " + id)))
        .compose(integration -> {
          if (!integration.type().isCi()) {
            throw ApiException.unprocessable("TEST_NOT_SUPPORTED", "integration type " + integration.type().wire()
                + " has no connectivity check; it only receives webhooks", (JsonObject) null);
          }
          return connectors.forIntegration(integration).check()
              .map(message -> new JsonObject().put("ok", true).put("message", message))
              .recover(e -> Future.failedFuture(ApiException.unprocessable(
                  EgressDeniedException.in(e) ? EgressDeniedException.CODE : "INTEGRATION_CHECK_FAILED",
                  integration.type().wire() + " integration '" + integration.name() + "': " + e.getMessage(),
                  new JsonObject().put("reason", e.getClass().getSimpleName()))));
        })
        .compose(result -> Responses.ok(ctx, result))
        .onFailure(ctx::fail);
  }

  public void create(RoutingContext ctx) {
    service.create(Bodies.jsonObject(ctx), Guard.principal(ctx))
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
    service.update(ctx.pathParam("id"), Bodies.jsonObject(ctx))
        .compose(i -> Responses.ok(ctx, i.toJson()))
        .onFailure(ctx::fail);
  }

  public void delete(RoutingContext ctx) {
    service.delete(ctx.pathParam("id")).compose(v -> Responses.noContent(ctx)).onFailure(ctx::fail);
  }
}
