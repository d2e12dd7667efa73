package org.stellaops.orchestrator.ci;

import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.UUID;
import org.stellaops.orchestrator.platform.Validator;

/**
 * Trigger a pipeline: what to run, with which inputs, whether to wait for it (and how long), and
 * what the STELLA_* variables say it runs for.
 */
public record TriggerRun(Target target, Inputs inputs, boolean waitForCompletion, int timeoutSeconds,
    Context context) {

  /**
   * An integration's pipeline at a ref; a null ref means the repository's default branch. Surrounding
   * whitespace is no part of a pipeline id or ref, whoever gives them.
   */
  public record Target(UUID integrationId, String pipelineId, String ref) {
    public Target {
      pipelineId = pipelineId == null ? null : pipelineId.trim();
      ref = ref == null ? null : ref.trim();
    }
  }

  /** The caller's variables (string values) and GitLab pipeline inputs (null when none were given). */
  public record Inputs(JsonObject variables, JsonObject pipelineInputs) {}

  /** What the run is for, each part null when unknown; passed whenever known. */
  public record Context(UUID releaseId, UUID promotionId, String environment) {
    public static final Context NONE = new Context(null, null, null);

    /** The STELLA_* variables of the parts that are known. */
    JsonObject variables() {
      JsonObject context = new JsonObject();
      if (releaseId != null) {
        context.put("STELLA_RELEASE_ID", releaseId.toString());
      }
      if (promotionId != null) {
        context.put("STELLA_PROMOTION_ID", promotionId.toString());
      }
      if (environment != null) {
        context.put("STELLA_ENVIRONMENT", environment);
      }
      return context;
    }
  }

  /** The body of {@code POST /api/v1/pipeline-runs}; every bad field is reported in one 400. */
  public static TriggerRun parse(JsonObject body) {
    Validator v = new Validator(body);
    UUID integrationId = requiredUuid(v, "integrationId");
    String pipelineId = v.requiredString("pipelineId", 500);
    String ref = v.optionalString("ref", 255);
    JsonObject variables = Optional.ofNullable(v.optionalStringMap("variables", 50, 10_000)).orElse(new JsonObject());
    JsonObject pipelineInputs = PipelineRunService.pipelineInputs(v);
    Boolean wait = v.optionalBoolean("waitForCompletion");
    int timeout = timeout(v);
    UUID releaseId = v.optionalUuid("releaseId");
    UUID promotionId = v.optionalUuid("promotionId");
    String environment = v.optionalString("environment", 100);
    v.throwIfInvalid();
    return new TriggerRun(new Target(integrationId, pipelineId, ref), new Inputs(variables, pipelineInputs),
        wait == null || wait, timeout, new Context(releaseId, promotionId, environment));
  }

  static UUID requiredUuid(Validator v, String field) {
    if (!v.has(field)) {
      v.error(field, "is required", "REQUIRED");
      return null;
    }
    return v.optionalUuid(field);
  }

  /** {@code timeout}: whole seconds from 1 to {@link PipelineRunService#MAX_TIMEOUT_SECONDS}, default an hour. */
  static int timeout(Validator v) {
    Object raw = v.has("timeout") ? v.optionalObjectValue("timeout") : null;
    if (raw == null) {
      return PipelineRunService.DEFAULT_TIMEOUT_SECONDS;
    }
    if (!(raw instanceof Number n) || n.doubleValue() != Math.floor(n.doubleValue())
        || n.longValue() < 1 || n.longValue() > PipelineRunService.MAX_TIMEOUT_SECONDS) {
      v.error("timeout", "must be whole seconds from 1 to " + PipelineRunService.MAX_TIMEOUT_SECONDS, "OUT_OF_RANGE");
      return PipelineRunService.DEFAULT_TIMEOUT_SECONDS;
    }
    return n.intValue();
  }
}
