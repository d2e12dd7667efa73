package org.stellaops.orchestrator.webhook;

/** When to try processing a delivery again, and when to give up. Pure. */
public final class Retry {

  /** Attempts before a delivery is marked failed (its error stays readable and it can be replayed). */
  public static final int MAX_ATTEMPTS = 8;
  static final int MAX_DELAY_SECONDS = 300;

  private Retry() {}

  /** 2, 4, 8 … seconds after the n-th failed attempt, at most five minutes. */
  public static int delaySeconds(int attempt) {
    if (attempt >= 9) {
      return MAX_DELAY_SECONDS;
    }
    return Math.min(MAX_DELAY_SECONDS, 1 << Math.max(1, attempt));
  }

  public static boolean giveUp(int attempts) {
    return attempts >= MAX_ATTEMPTS;
  }
}
