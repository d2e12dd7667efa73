package org.stellaops.orchestrator.citrust;

import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import org.stellaops.orchestrator.auth.Guard;
import org.stellaops.orchestrator.egress.EgressPolicy;
import org.stellaops.orchestrator.platform.Bodies;
import org.stellaops.orchestrator.platform.Responses;

/** HTTP handlers for /api/v1/ci-trust-policies; each parses, calls one use case, writes the envelope. */
public final class CiTrustPolicyRoutes {

  private final CiTrustPolicyService service;
  private final EgressPolicy egress;
  private final Optional<String> userIssuer;

  /** {@code userIssuer}: the issuer of the users' identity provider (jwt.issuer), which no policy may name. */
  public CiTrustPolicyRoutes(CiTrustPolicyService service, EgressPolicy egress, Optional<String> userIssuer) {
    this.service = service;
    this.egress = egress;
    this.userIssuer = userIssuer;
  }

  public void create(RoutingContext ctx) {
    CiTrustPolicyService.requireCreator(Guard.principal(ctx));
    service.create(CreateCiTrustPolicy.parse(Bodies.jsonObject(ctx), egress, userIssuer), Guard.principal(ctx))
        .compose(created -> Responses.created(ctx, created.toJson()))
        .onFailure(ctx::fail);
  }

  public void list(RoutingContext ctx) {
    service.list(ctx.queryParams().get("cursor"), ctx.queryParams().get("limit"))
        .compose(page -> Responses.page(ctx, page, CiTrustPolicy::toJson))
        .onFailure(ctx::fail);
  }

  public void get(RoutingContext ctx) {
    service.get(ctx.pathParam("id"))
        .compose(policy -> Responses.ok(ctx, policy.toJson()))
        .onFailure(ctx::fail);
  }

  public void delete(RoutingContext ctx) {
    service.delete(ctx.pathParam("id"))
        .compose(v -> Responses.noContent(ctx))
        .onFailure(ctx::fail);
  }
}
