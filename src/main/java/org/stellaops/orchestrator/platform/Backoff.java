package org.stellaops.orchestrator.platform;

/**
 * How long to wait after a failure before trying again, and when to stop trying: the one place
 * every retry loop of the gateway takes both answers from. The first wait is {@code firstSeconds},
 * each further consecutive failure doubles it, and it stays within {@code maxSeconds} (but never
 * below {@code firstSeconds}); after {@code maxAttempts} failed attempts the work is given up.
 * Pure.
 */
public record Backoff(int firstSeconds, int maxSeconds, int maxAttempts) {

  /** For work that is never given up on here (something else ends it, such as a deadline). */
  public static final int UNLIMITED = Integer.MAX_VALUE;
  static final int FIVE_MINUTES = 300;
  /** Beyond this many doublings every wait is at the cap; it keeps the shift from overflowing. */
  private static final int MAX_DOUBLINGS = 16;

  /**
   * Sending or processing a delivery: a webhook in the inbox, a status report to a CI system, an
   * event to a subscriber. 2, 4, 8 … seconds, at most five minutes; failed after eight attempts
   * (the error stays readable, and a webhook delivery can be replayed).
   */
  public static final Backoff DELIVERIES = new Backoff(2, FIVE_MINUTES, 8);

  /**
   * Polling a pipeline run again after failed polls: one poll interval after the first error,
   * doubling, at most five minutes (never less than the interval itself). Polls are never given up
   * for errors alone; the run's wait ends by its deadline or by an answer that cannot change.
   */
  public static Backoff polling(int intervalSeconds) {
    return new Backoff(intervalSeconds, FIVE_MINUTES, UNLIMITED);
  }

  /** The wait after {@code failures} consecutive failures (0 or 1: the first wait). */
  public int delaySeconds(int failures) {
    int doublings = Math.max(0, Math.min(failures - 1, MAX_DOUBLINGS));
    long seconds = (long) firstSeconds << doublings;
    return (int) Math.max(firstSeconds, Math.min(maxSeconds, seconds));
  }

  /** Whether work that has failed {@code attempts} times is to be given up rather than retried. */
  public boolean giveUp(int attempts) {
    return attempts >= maxAttempts;
  }
}
