package org.stellaops.orchestrator.ci;

import java.util.Locale;
import java.util.Set;

/**
 * The normalised pipeline-run statuses and, in one place, how each vendor's own words map onto
 * them — the same tables serve the polling connectors and the webhook parsers (https://docs.gitlab.com/api/pipelines/,
 * https://docs.github.com/en/rest/actions/workflow-runs,
 * https://www.jenkins.io/doc/book/using/remote-access-api/). Pure.
 */
public final class RunStatus {

  public static final String PENDING = "pending";
  public static final String RUNNING = "running";
  public static final String SUCCESS = "success";
  public static final String FAILED = "failed";
  public static final String CANCELLED = "cancelled";
  /** Ours, not a vendor's: the wait's deadline passed first. */
  public static final String TIMED_OUT = "timed_out";

  public static final Set<String> ALL = Set.of(PENDING, RUNNING, SUCCESS, FAILED, CANCELLED, TIMED_OUT);
  public static final Set<String> ACTIVE = Set.of(PENDING, RUNNING);

  private RunStatus() {}

  public static boolean terminal(String status) {
    return SUCCESS.equals(status) || FAILED.equals(status) || CANCELLED.equals(status) || TIMED_OUT.equals(status);
  }

  /**
   * GitLab pipeline statuses ({@code app/models/concerns/ci/has_status.rb}). manual and scheduled
   * wait (possibly forever) for a person or a time, so they stay pending; canceling is still
   * running until it lands on canceled.
   */
  public static String gitlab(String status) {
    return switch (status) {
      case "running", "canceling" -> RUNNING;
      case "success" -> SUCCESS;
      case "failed" -> FAILED;
      case "canceled" -> CANCELLED;
      // skipped is terminal (every job was skipped, e.g. by rules), but nothing was built or tested, so it
      // is not a success, and nothing broke, so it is not a failure: "cancelled" is the terminal bucket for
      // "finished without a result", which neither promotes an artifact nor raises a failure alert.
      case "skipped" -> CANCELLED;
      // created, waiting_for_resource, preparing, pending, scheduled, manual, waiting_for_callback, and any
      // status a newer GitLab adds: not terminal, so a later poll or hook can still settle it.
      default -> PENDING;
    };
  }

  /** GitHub Actions: terminal iff {@code status == completed}; then the conclusion decides. */
  public static String github(String status, String conclusion) {
    if (!"completed".equals(status)) {
      // requested, queued, pending, waiting (an environment approval) and future values are not terminal.
      return "in_progress".equals(status) ? RUNNING : PENDING;
    }
    if (conclusion == null) {
      // Completed without a conclusion should not happen; a terminal state we cannot vouch for must not promote.
      return FAILED;
    }
    return switch (conclusion) {
      case "success" -> SUCCESS;
      // neutral: finished without failing; GitHub itself lets neutral satisfy required checks.
      case "neutral" -> SUCCESS;
      // cancelled: stopped by a person or a concurrency group; skipped: all jobs skipped. No result either way.
      case "cancelled", "skipped" -> CANCELLED;
      // failure, timed_out, startup_failure (bad YAML, zero jobs), action_required (needs approval), stale,
      // and any future conclusion: terminal and not trustworthy.
      default -> FAILED;
    };
  }

  /** A finished Jenkins build's {@code result}; null or unknown must not promote. */
  public static String jenkinsResult(String result) {
    if (result == null) {
      return FAILED;
    }
    return switch (result.toUpperCase(Locale.ROOT)) {
      case "SUCCESS" -> SUCCESS;
      // ABORTED: stopped by a person or a timeout; NOT_BUILT: skipped. Neither produced a result.
      case "ABORTED", "NOT_BUILT" -> CANCELLED;
      // UNSTABLE built but tests or quality gates failed; FAILURE and unknown results must not promote.
      default -> FAILED;
    };
  }
}
