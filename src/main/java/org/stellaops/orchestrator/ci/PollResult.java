package org.stellaops.orchestrator.ci;

/**
 * One poll's answer. {@code notModified} means the vendor said 304 and nothing else is set.
 * {@code runId} is the (possibly newly learned) vendor run id; {@code etag} is for the next poll.
 */
public record PollResult(boolean notModified, String runId, String status, String vendorStatus, String webUrl,
    String etag) {

  public static PollResult unchanged() {
    return new PollResult(true, null, null, null, null, null);
  }

  public static PollResult of(String runId, String status, String vendorStatus, String webUrl, String etag) {
    return new PollResult(false, runId, status, vendorStatus, webUrl, etag);
  }
}
