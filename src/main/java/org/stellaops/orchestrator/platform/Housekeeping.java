package org.stellaops.orchestrator.platform;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what the gateway keeps only for a while: at start and then every hour, the
 * {@code Idempotency-Key} answers older than {@link Idempotency#KEEP}. Every replica runs it; a
 * purge that finds nothing left to delete costs one indexless scan of a small table.
 */
public final class Housekeeping extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);
  static final long EVERY_MILLIS = 3_600_000;

  private final Idempotency idempotency;
  private long timer;

  public Housekeeping(Idempotency idempotency) {
    this.idempotency = idempotency;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(1, EVERY_MILLIS, id -> purge()); // first purge right after start
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void purge() {
    idempotency.purgeExpired()
        .onSuccess(n -> {
          if (n > 0) {
            LOG.info("removed {} Idempotency-Key answers older than {} hours", n, Idempotency.KEEP.toHours());
          }
        })
        .onFailure(e -> LOG.warn("purging old Idempotency-Key answers failed: {}", e.getMessage()));
  }
}
