package org.stellaops.orchestrator.ci;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import org.stellaops.orchestrator.egress.EgressDeniedException;
import org.stellaops.orchestrator.integration.IntegrationService;
import org.stellaops.orchestrator.platform.ApiException;
import org.stellaops.orchestrator.platform.Ids;
import org.stellaops.orchestrator.platform.Responses;

/**
 * {@code POST /integrations/{id}/test}: asks a CI integration's vendor whether the gateway can
 * reach it with the stored credentials, through the same connector that triggers and polls runs.
 */
public final class ConnectivityCheckRoutes {

  private final IntegrationService integrations;
  private final Connectors connectors;

  public ConnectivityCheckRoutes(IntegrationService integrations, Connectors connectors) {
    this.integrations = integrations;
    this.connectors = connectors;
  }

  /**
   * 200 with what was verified, or 422 saying what failed ({@code EGRESS_DENIED} when the egress
   * policy kept the request from being sent); integrations that are not CI have no check (422).
   */
  public void test(RoutingContext ctx) {
    UUID id = Ids.uuidOr404(ctx.pathParam("id"), "integration");
    integrations.resolve(id)
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
}
