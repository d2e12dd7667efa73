package org.stellaops.orchestrator.platform;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;

/**
 * Kubernetes-style probes. Live: the event loop answers. Ready: the schema is migrated (the
 * server only starts after migrations) and PostgreSQL answers a query within two seconds.
 */
public final class Health {

  private final Pool pool;

  public Health(Pool pool) {
    this.pool = pool;
  }

  public void live(RoutingContext ctx) {
    Responses.send(ctx, 200, new JsonObject().put("status", "UP"));
  }

  public void ready(RoutingContext ctx) {
    pool.query("SELECT 1").execute()
        .timeout(2, TimeUnit.SECONDS)
        .onSuccess(rows -> Responses.send(ctx, 200, new JsonObject().put("status", "UP")
            .put("checks", new JsonObject().put("database", "UP").put("migrations", "UP"))))
        .onFailure(e -> Responses.send(ctx, 503, new JsonObject().put("status", "DOWN")
            .put("checks", new JsonObject().put("database", "DOWN: " + e.getMessage()).put("migrations", "UP"))));
  }
}
