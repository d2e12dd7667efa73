package org.stellaops.orchestrator.webhook.parsers;

import org.stellaops.orchestrator.ci.RunStatus;

/**
 * The normalised build states of {@link org.stellaops.orchestrator.webhook.WebhookEvent.BuildCompleted}.
 * Each CI parser maps its vendor's words onto these; the vendor's own word travels alongside as
 * {@code vendorStatus}. Only success, failed and cancelled are terminal.
 */
public final class BuildStatus {

  public static final String PENDING = RunStatus.PENDING;
  public static final String RUNNING = RunStatus.RUNNING;
  public static final String SUCCESS = RunStatus.SUCCESS;
  public static final String FAILED = RunStatus.FAILED;
  public static final String CANCELLED = RunStatus.CANCELLED;

  private BuildStatus() {}

  public static boolean terminal(String status) {
    return SUCCESS.equals(status) || FAILED.equals(status) || CANCELLED.equals(status);
  }
}
