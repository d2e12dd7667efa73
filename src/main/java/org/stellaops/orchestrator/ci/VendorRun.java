package org.stellaops.orchestrator.ci;

/**
 * A run as the vendor reported it when triggered. {@code runId} may be provisional: a Jenkins
 * queue item ({@code queue:<id>}) or, for a GitHub dispatch answered with 204, null until the
 * run is found by its correlation id.
 */
public record VendorRun(String runId, String status, String vendorStatus, String webUrl, java.util.List<String> notes) {

  public VendorRun {
    notes = notes == null ? java.util.List.of() : java.util.List.copyOf(notes);
  }

  public VendorRun(String runId, String status, String vendorStatus, String webUrl) {
    this(runId, status, vendorStatus, webUrl, java.util.List.of());
  }

  /** The same run with what the trigger left out, and why, noted. */
  public VendorRun withNotes(java.util.List<String> more) {
    java.util.List<String> all = new java.util.ArrayList<>(notes);
    all.addAll(more);
    return new VendorRun(runId, status, vendorStatus, webUrl, all);
  }
}
