package org.stellaops.orchestrator.housekeeping;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stellaops.orchestrator.platform.Idempotency;

/**
 * Removes what the gateway keeps only for a while, at start and then every hour: the
 * {@code Idempotency-Key} answers older than {@link Idempotency#KEEP} (every replica; a purge
 * that finds nothing costs one scan of a small table), and the finished records past their
 * {@link Retention} (one replica at a time).
 */
public final class Housekeeping extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);
  static final long EVERY_MILLIS = 3_600_000;
  /**
   * Runs one retention pass now and replies with its result. A local consumer: only this
   * process can ask, never a peer on a clustered event bus.
   */
  public static final String RUN_RETENTION = "stella.housekeeping.retention";

  private final Idempotency idempotency;
  private final Retention retention;
  private long timer;
  private MessageConsumer<Object> runNow;

  public Housekeeping(Idempotency idempotency, Retention retention) {
    this.idempotency = idempotency;
    this.retention = retention;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(1, EVERY_MILLIS, id -> purge()); // first purge right after start
    runNow = vertx.eventBus().localConsumer(RUN_RETENTION, msg -> applyRetention()
        .onSuccess(msg::reply)
        .onFailure(e -> msg.fail(500, e.getMessage())));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return runNow.unregister();
  }

  private void purge() {
    idempotency.purgeExpired()
        .onSuccess(n -> {
          if (n > 0) {
            LOG.info("removed {} Idempotency-Key answers older than {} hours", n, Idempotency.KEEP.toHours());
          }
        })
        .onFailure(e -> LOG.warn("purging old Idempotency-Key answers failed: {}", e.getMessage()));
    applyRetention();
  }

  private Future<JsonObject> applyRetention() {
    return retention.purge()
        .onSuccess(result -> {
          if (result.getBoolean("skipped")) {
            LOG.debug("retention skipped: another replica is running it");
          } else {
            JsonObject counts = result.copy();
            counts.remove("skipped");
            if (counts.stream().anyMatch(e -> e.getValue() instanceof Integer n && n > 0)) {
              LOG.info("retention removed {}", counts.encode());
            }
          }
        })
        .onFailure(e -> LOG.warn("retention pass failed: {}", e.getMessage()));
  }
}
