package org.stellaops.orchestrator.ci;

import java.time.Instant;

/**
 * One poll's answer. {@code notModified} means the vendor said 304 and nothing else is set.
 * {@code runId} is the (possibly newly learned) vendor run id; {@code etag} is for the next poll;
 * {@code finishedAt} is when the vendor says a finished run ended (null when unknown), which
 * gives the detection-delay metric.
 */
public record PollResult(boolean notModified, String runId, String status, String vendorStatus, String webUrl,
    String etag, Instant finishedAt) {

  public static PollResult unchanged() {
    return new PollResult(true, null, null, null, null, null, null);
  }

  public static PollResult of(String runId, String status, String vendorStatus, String webUrl, String etag) {
    return new PollResult(false, runId, status, vendorStatus, webUrl, etag, null);
  }

  public PollResult finishedAt(Instant when) {
    return new PollResult(notModified, runId, status, vendorStatus, webUrl, etag, when);
  }
}
