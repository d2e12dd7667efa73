package org.stellaops.orchestrator.ci;

import io.vertx.core.Future;
import java.util.Map;

/**
 * One CI system behind one interface (the design page's {@code ICICDConnector}). Implementations
 * talk HTTP with vertx-web-client and never block; every call answers with a future that fails
 * with a {@link CiException} subtype that tells the caller what to do next (stop, retry later,
 * pause the integration).
 */
public interface CiConnector {

  /**
   * Starts a pipeline. {@code correlationId} is unique per trigger; connectors that cannot learn
   * the run id from the trigger answer (GitHub's 204) use it to find the run afterwards.
   */
  Future<VendorRun> trigger(String pipelineId, String ref, Map<String, String> variables, String correlationId);

  /**
   * Reads a run's current state. {@code etag} is the one the previous poll returned (or null);
   * when the vendor answers 304 the result is {@link PollResult#notModified()}. The result may
   * carry a new {@code runId} (a Jenkins queue item became a build; a GitHub dispatch was
   * matched to its run), which the caller stores.
   */
  Future<PollResult> poll(RunRef run, String etag);

  /** Asks the vendor to stop the run; succeeds once the vendor accepted the request. */
  Future<Void> cancel(RunRef run);

  /** Checks connectivity and credentials; the answer says what was checked (e.g. the user name). */
  Future<String> check();

  /** What we know about a run when we poll it: which pipeline, the vendor's id, when we triggered it. */
  record RunRef(String pipelineId, String ref, String runId, String correlationId, java.time.Instant triggeredAt) {}
}
