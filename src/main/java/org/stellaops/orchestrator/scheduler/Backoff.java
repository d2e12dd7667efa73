package org.stellaops.orchestrator.scheduler;

/** How long to wait before polling a run again after failed polls. Pure. */
public final class Backoff {

  static final int MAX_SECONDS = 300;

  private Backoff() {}

  /**
   * One poll interval after the first error, doubling with each further consecutive error, at
   * most five minutes (never less than the interval itself).
   */
  public static int afterErrors(int consecutiveErrors, int intervalSeconds) {
    int doublings = Math.max(0, Math.min(consecutiveErrors - 1, 16));
    long seconds = (long) intervalSeconds << doublings;
    return (int) Math.max(intervalSeconds, Math.min(MAX_SECONDS, seconds));
  }
}
