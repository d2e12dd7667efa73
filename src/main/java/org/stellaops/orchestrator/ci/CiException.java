package org.stellaops.orchestrator.ci;

import java.time.Instant;

/**
 * Why a CI call failed, sorted by what the caller should do. Messages name the integration and
 * the vendor's answer, never credentials.
 */
public abstract sealed class CiException extends RuntimeException {

  protected CiException(String message, Throwable cause) {
    super(message, cause, false, false);
  }

  /** 401, or 403 that is not a rate limit: the credentials are wrong; retrying will not help. */
  public static final class Unauthorized extends CiException {
    public Unauthorized(String message) {
      super(message, null);
    }
  }

  /** 404 (and GitHub's 422 for a workflow without workflow_dispatch): the pipeline or run does not exist. */
  public static final class NotFound extends CiException {
    public NotFound(String message) {
      super(message, null);
    }
  }

  /**
   * The vendor refused the request as invalid (400/409/422 other than not-found), or the egress
   * policy refused to send it: retrying will not help.
   */
  public static final class Rejected extends CiException {
    public Rejected(String message) {
      super(message, null);
    }

    public Rejected(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** 429, or GitHub's 403 with remaining 0: pause the whole integration until {@code resumeAt}. */
  public static final class RateLimited extends CiException {
    private final Instant resumeAt;

    public RateLimited(String message, Instant resumeAt) {
      super(message, null);
      this.resumeAt = resumeAt;
    }

    public Instant resumeAt() {
      return resumeAt;
    }
  }

  /** 5xx, timeouts, connection errors, malformed JSON: try again later with backoff. */
  public static final class Transient extends CiException {
    public Transient(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
