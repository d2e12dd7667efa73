package org.stellaops.orchestrator.ci;

/**
 * A run as the vendor reported it when triggered. {@code runId} may be provisional: a Jenkins
 * queue item ({@code queue:<id>}) or, for a GitHub dispatch answered with 204, null until the
 * run is found by its correlation id.
 */
public record VendorRun(String runId, String status, String vendorStatus, String webUrl) {}
