package org.stellaops.orchestrator.platform;

/**
 * Event-bus addresses. Messages are JSON holding ids, not whole entities; consumers read what
 * they need from PostgreSQL. Publishing happens after the write commits, so a process that dies
 * in between publishes nothing. Promotions waiting on a run are also found by the periodic
 * recovery sweep; auto-promotion on {@code release.created} and {@code promotion.completed} is
 * not, and is skipped for a change whose replica died before publishing. What outside
 * subscribers receive does not travel on the bus: the change's own transaction queues it
 * ({@link EventOutbox}).
 */
public final class Events {

  private Events() {}

  public static final String REGISTRY_IMAGE_PUSHED = "registry.image.pushed";
  public static final String CI_BUILD_COMPLETED = "ci.build.completed";
  public static final String CI_RUN_COMPLETED = "ci.run.completed";
  public static final String RELEASE_CREATED = "release.created";
  public static final String PROMOTION_STARTED = "promotion.started";
  public static final String PROMOTION_COMPLETED = "promotion.completed";
  public static final String DEPLOYMENT_STARTED = "deployment.started";
  public static final String DEPLOYMENT_COMPLETED = "deployment.completed";
  public static final String DEPLOYMENT_ROLLBACK_INITIATED = "deployment.rollback.initiated";
  /**
   * Internal: an integration was changed or deleted (body: its id). Every replica drops its
   * cached copy, so a rotated webhook secret or token takes effect cluster-wide at once.
   */
  public static final String INTEGRATION_CHANGED = "stella.integration.changed";
}
