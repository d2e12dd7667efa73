package org.stellaops.orchestrator.webhook.parsers;

/**
 * The normalised build states of {@link org.stellaops.orchestrator.webhook.WebhookEvent.BuildCompleted}.
 * Each CI parser maps its vendor's words onto these; the vendor's own word travels alongside as
 * {@code vendorStatus}. Only success, failed and cancelled are terminal.
 */
public final class BuildStatus {

  public static final String PENDING = "pending";
  public static final String RUNNING = "running";
  public static final String SUCCESS = "success";
  public static final String FAILED = "failed";
  public static final String CANCELLED = "cancelled";

  private BuildStatus() {}

  public static boolean terminal(String status) {
    return SUCCESS.equals(status) || FAILED.equals(status) || CANCELLED.equals(status);
  }
}
