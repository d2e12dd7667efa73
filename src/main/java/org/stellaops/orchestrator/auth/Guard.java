package org.stellaops.orchestrator.auth;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.stellaops.orchestrator.platform.ApiException;

/**
 * Route-table helpers: {@code guard.require(Permission.RELEASE_CREATE)} authenticates the
 * bearer token (401) and then checks the one permission the route declares (403 naming it).
 *
 * <p>It runs before the body is read: the request is paused while the token is looked up, and
 * only an accepted caller's request reaches the body handler, which resumes it. A refused
 * request is answered without its body ever being read.
 */
public final class Guard {

  private static final String KEY = "principal";

  private final Authenticator authenticator;

  public Guard(Authenticator authenticator) {
    this.authenticator = authenticator;
  }

  public static Principal principal(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  public Handler<RoutingContext> require(Permission permission) {
    return ctx -> {
      // Nothing reads the body until the next handler sets one up; pausing keeps Vert.x from
      // delivering (and dropping) body chunks during the asynchronous token lookup.
      if (!ctx.request().isEnded()) {
        ctx.request().pause();
      }
      String header = ctx.request().getHeader("Authorization");
      if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
        ctx.fail(ApiException.unauthorized("send Authorization: Bearer <token>"));
        return;
      }
      authenticator.authenticate(header.substring(7).trim())
          .onSuccess(principal -> {
            if (!principal.can(permission)) {
              ctx.fail(ApiException.forbidden(permission.toString()));
              return;
            }
            ctx.put(KEY, principal);
            ctx.next();
          })
          .onFailure(ctx::fail);
    };
  }
}
