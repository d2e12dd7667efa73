package org.stellaops.orchestrator.platform;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes-style probes. Live: the event loop answers. Ready: the schema is migrated (the
 * server only starts after migrations) and PostgreSQL answers a query within two seconds.
 */
public final class Health {

  private static final Logger LOG = LoggerFactory.getLogger(Health.class);

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
        .onFailure(e -> {
          // The probe is unauthenticated: the reason goes to the log, never into the answer.
          LOG.warn("readiness check failed: database: {}", e.getMessage());
          Responses.send(ctx, 503, new JsonObject().put("status", "DOWN")
              .put("checks", new JsonObject().put("database", "DOWN").put("migrations", "UP")));
        });
  }
}
