package org.stellaops.orchestrator.ci;

import io.vertx.core.Future;
import java.util.Map;

/**
 * One CI system behind one interface. Implementations
 * talk HTTP with vertx-web-client and never block; every call answers with a future that fails
 * with a {@link CiException} subtype that tells the caller what to do next (stop, retry later,
 * pause the integration).
 */
public interface CiConnector {

  /**
   * Starts a pipeline. {@code correlationId} is unique per trigger; connectors that cannot learn
   * the run id from the trigger answer (GitHub's 204) use it to find the run afterwards.
   */
  default Future<VendorRun> trigger(String pipelineId, String ref, Map<String, String> variables,
      String correlationId) {
    return trigger(new Trigger(pipelineId, ref, variables, Map.of(), null, correlationId));
  }

  /**
   * Starts a pipeline. The connector sends the step's own {@code variables} or fails saying which ones the
   * pipeline cannot take; it sends the {@code context} ones only where the pipeline accepts them, and says on the
   * returned run which ones it left out and why.
   */
  Future<VendorRun> trigger(Trigger trigger);

  /**
   * Whether this CI system needs a ref to start a pipeline. GitLab and GitHub do; Jenkins has no notion of one
   * in its API.
   */
  default boolean needsRef() {
    return true;
  }

  /** The repository's default branch, read from the CI system; empty when it has none (an empty repository). */
  Future<java.util.Optional<String>> defaultRef(String pipelineId);

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

  /**
   * One trigger. {@code variables} are the ones the caller asked for; {@code context} the {@code STELLA_*} ones
   * added for a promotion, which a pipeline may not declare; {@code pipelineInputs} GitLab's typed pipeline
   * {@code inputs} (null: none).
   */
  record Trigger(String pipelineId, String ref, Map<String, String> variables, Map<String, String> context,
      io.vertx.core.json.JsonObject pipelineInputs, String correlationId) {

    public Trigger {
      variables = variables == null ? Map.of() : variables;
      context = context == null ? Map.of() : context;
    }
  }

  /** What we know about a run when we poll it: which pipeline, the vendor's id, when we triggered it. */
  record RunRef(String pipelineId, String ref, String runId, String correlationId, java.time.Instant triggeredAt) {}
}
