package org.stellaops.orchestrator.release;

import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.stellaops.orchestrator.auth.Guard;
import org.stellaops.orchestrator.auth.Principal;
import org.stellaops.orchestrator.platform.Bodies;
import org.stellaops.orchestrator.platform.Idempotency;
import org.stellaops.orchestrator.platform.RequestIds;
import org.stellaops.orchestrator.platform.Responses;

/** HTTP handlers for /api/v1/releases. */
public final class ReleaseRoutes {

  private final ReleaseService service;
  private final Idempotency idempotency;

  public ReleaseRoutes(ReleaseService service, Idempotency idempotency) {
    this.service = service;
    this.idempotency = idempotency;
  }

  /** Honours {@code Idempotency-Key}: a retried create answers as the first one did. */
  public void create(RoutingContext ctx) {
    Principal caller = Guard.principal(ctx);
    var body = Bodies.jsonObject(ctx);
    idempotency.run(caller.kind() + ":" + caller.id() + " POST /releases", ctx.request().getHeader(Idempotency.HEADER),
            ctx.body().buffer(),
            () -> service.create(CreateRelease.parse(body), caller, RequestIds.of(ctx))
                .map(release -> new Idempotency.Outcome(201, release.toJson(), false)))
        .compose(outcome -> {
          if (outcome.replayed()) {
            ctx.response().putHeader("Idempotent-Replayed", "true");
          }
          return Responses.send(ctx, outcome.status(), Responses.envelope(ctx, outcome.data()));
        })
        .onFailure(ctx::fail);
  }

  public void list(RoutingContext ctx) {
    var q = ctx.queryParams();
    service.list(q.get("componentId"), q.get("name"), q.get("createdAfter"), q.get("cursor"), q.get("limit"))
        .compose(page -> Responses.page(ctx, page, Release::toJson))
        .onFailure(ctx::fail);
  }

  public void get(RoutingContext ctx) {
    service.get(ctx.pathParam("id"))
        .compose(release -> Responses.ok(ctx, release.toJson()))
        .onFailure(ctx::fail);
  }

  /** Release names may hold '/', so the name is the rest of the path, sent raw or percent-encoded. */
  public void getByName(RoutingContext ctx) {
    String prefix = "/by-name/";
    String path = ctx.request().path();
    String name = URLDecoder.decode(path.substring(path.indexOf(prefix) + prefix.length()).replace("+", "%2B"),
        StandardCharsets.UTF_8);
    service.getByName(name)
        .compose(release -> Responses.ok(ctx, release.toJson()))
        .onFailure(ctx::fail);
  }
}
