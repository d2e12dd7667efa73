package org.stellaops.orchestrator.workflow;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.stellaops.orchestrator.ci.PipelineRunService;
import org.stellaops.orchestrator.egress.EgressPolicy;
import org.stellaops.orchestrator.platform.Validator;

/**
 * Checks an environment's workflow when it is saved: every step has a unique id and a known
 * type, its config holds what the type needs (a trigger config and a wait
 * config for the CI steps), deploy and http step URLs do not point at an address
 * the egress policy denies, and every input names an output of an earlier step.
 * Every problem is reported, each at its path ({@code workflow[1].config.timeout}). Pure.
 */
public final class WorkflowValidator {

  static final int MAX_STEPS = 50;
  static final int MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;
  private static final Pattern STEP_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern HTTP_URL = Pattern.compile("https?://\\S+");
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

  /** What each step type produces, for checking inputs. */
  static final Map<String, Set<String>> OUTPUTS = Map.of(
      StepType.TRIGGER_CI.wire(), Set.of("pipelineRunId", "status", "webUrl"),
      StepType.WAIT_CI.wire(), Set.of("status", "success", "pipelineRun"),
      StepType.DEPLOY.wire(), Set.of("deploymentJobId", "status"),
      StepType.APPROVAL.wire(), Set.of("approvers"),
      StepType.HTTP.wire(), Set.of("status", "body", "bodyTruncated"));

  private WorkflowValidator() {}

  /** Validates {@code workflow} into {@code v}; returns the CI integration ids it references (to check they exist). */
  public static List<UUID> validate(JsonArray workflow, Validator v, EgressPolicy egress) {
    List<UUID> integrations = new java.util.ArrayList<>();
    if (workflow.size() > MAX_STEPS) {
      v.error("workflow", "must have at most " + MAX_STEPS + " steps", "TOO_MANY");
      return integrations;
    }
    Map<String, String> earlierTypes = new HashMap<>();
    for (int i = 0; i < workflow.size(); i++) {
      String path = "workflow[" + i + "]";
      if (!(workflow.getValue(i) instanceof JsonObject step)) {
        v.error(path, "must be an object {id, type, config, inputs?}", "INVALID_TYPE");
        continue;
      }
      Validator s = v.nested(step, path);
      String id = s.matching("id", s.requiredString("id", 64), STEP_ID, "1-64 letters, digits, '_' or '-'");
      if (id != null && earlierTypes.containsKey(id)) {
        s.error("id", "step id '" + id + "' is used twice", "DUPLICATE");
      }
      String type = s.requiredString("type", 32);
      if (type != null && !OUTPUTS.containsKey(type)) {
        s.error("type", "unknown step type '" + type + "'; known: " + new java.util.TreeSet<>(OUTPUTS.keySet()),
            "UNKNOWN_TYPE");
        type = null;
      }
      JsonObject config = step.getValue("config") instanceof JsonObject c ? c : null;
      if (step.containsKey("config") && config == null && step.getValue("config") != null) {
        s.error("config", "must be an object", "INVALID_TYPE");
      }
      JsonObject inputs = s.optionalStringMap("inputs", 20, 200);
      checkInputs(s, inputs, earlierTypes);
      if (type != null) {
        Validator c = config == null ? s.nested(new JsonObject(), "config") : s.nested(config, "config");
        UUID integration = checkConfig(type, c, config != null, inputs, s, egress);
        if (integration != null) {
          integrations.add(integration);
        }
      }
      if (id != null && !earlierTypes.containsKey(id)) {
        earlierTypes.put(id, type);
      }
    }
    return integrations;
  }

  /** Inputs are {@code name -> "stepId.output"}, the step coming earlier and producing that output. */
  private static void checkInputs(Validator s, JsonObject inputs, Map<String, String> earlierTypes) {
    if (inputs == null) {
      return;
    }
    for (String name : inputs.fieldNames()) {
      Object raw = inputs.getValue(name);
      if (!(raw instanceof String ref)) {
        continue;
      }
      int dot = ref.indexOf('.');
      String stepId = dot < 0 ? ref : ref.substring(0, dot);
      String output = dot < 0 ? null : ref.substring(dot + 1);
      if (!earlierTypes.containsKey(stepId)) {
        s.error("inputs." + name, "'" + ref + "' does not name an earlier step; write <stepId>.<output>",
            "UNKNOWN_STEP");
      } else if (output == null || (earlierTypes.get(stepId) != null
          && !OUTPUTS.get(earlierTypes.get(stepId)).contains(output))) {
        s.error("inputs." + name, "step '" + stepId + "' has no output '" + output + "'; it has "
            + OUTPUTS.getOrDefault(earlierTypes.get(stepId), Set.of()), "UNKNOWN_OUTPUT");
      }
    }
  }

  private static UUID checkConfig(String type, Validator c, boolean present, JsonObject inputs, Validator step,
      EgressPolicy egress) {
    StepType known = StepType.of(type);
    if (!present && known != StepType.APPROVAL) {
      step.error("config", "is required for a " + type + " step", "REQUIRED");
      return null;
    }
    switch (known) {
      case TRIGGER_CI -> {
        UUID integration = requiredUuid(c, "integrationId");
        c.requiredString("pipelineId", 500);
        c.optionalString("ref", 255);
        c.optionalStringMap("variables", 50, 10_000);
        PipelineRunService.pipelineInputs(c);
        requiredBoolean(c, "waitForCompletion");
        optionalSeconds(c, "timeout", false);
        return integration;
      }
      case WAIT_CI -> {
        UUID integration = requiredUuid(c, "integrationId");
        optionalSeconds(c, "timeout", true);
        requiredBoolean(c, "failOnError");
        boolean runId = c.has("runId");
        String runIdInput = c.optionalString("runIdInput", 64);
        if (runId == (runIdInput != null)) {
          c.error("runId", "give exactly one of runId and runIdInput", "REQUIRED");
        } else if (runIdInput != null && (inputs == null || !inputs.containsKey(runIdInput))) {
          c.error("runIdInput", "names no input of this step; add inputs." + runIdInput + ": <stepId>.pipelineRunId",
              "UNKNOWN_INPUT");
        }
        return integration;
      }
      case DEPLOY -> {
        egress.checkUrl(c, "url", c.matching("url", c.requiredString("url", 2048), HTTP_URL, "an http(s) URL"));
        c.optionalStringMap("headers", 20, 4096);
        optionalSeconds(c, "timeout", false);
        return null;
      }
      case HTTP -> {
        egress.checkUrl(c, "url", c.matching("url", c.requiredString("url", 2048), HTTP_URL, "an http(s) URL"));
        String method = c.optionalString("method", 10);
        if (method != null && !METHODS.contains(method.toUpperCase())) {
          c.error("method", "must be one of " + METHODS, "INVALID_VALUE");
        }
        c.optionalStringMap("headers", 20, 4096);
        Object expected = c.optionalObjectValue("expectedStatus");
        if (expected != null && !(expected instanceof Integer n && n >= 100 && n <= 599)) {
          c.error("expectedStatus", "must be an HTTP status code", "INVALID_VALUE");
        }
        optionalSeconds(c, "timeout", false);
        return null;
      }
      case APPROVAL -> {
        // Optional config {requiredApprovals} overrides the environment's.
        Object required = c.optionalObjectValue("requiredApprovals");
        if (required != null && !(required instanceof Integer n && n >= 1 && n <= 20)) {
          c.error("requiredApprovals", "must be a whole number from 1 to 20", "OUT_OF_RANGE");
        }
        return null;
      }
      default -> throw new IllegalStateException("no checks for step type " + type);
    }
  }

  private static UUID requiredUuid(Validator c, String field) {
    if (!c.has(field)) {
      c.error(field, "is required", "REQUIRED");
      return null;
    }
    return c.optionalUuid(field);
  }

  private static void requiredBoolean(Validator c, String field) {
    if (!c.has(field)) {
      c.error(field, "is required (true or false)", "REQUIRED");
    } else {
      c.optionalBoolean(field);
    }
  }

  private static void optionalSeconds(Validator c, String field, boolean required) {
    Object raw = c.optionalObjectValue(field);
    if (raw == null) {
      if (required) {
        c.error(field, "is required (seconds)", "REQUIRED");
      }
      return;
    }
    if (!(raw instanceof Integer n) || n < 1 || n > MAX_TIMEOUT_SECONDS) {
      c.error(field, "must be whole seconds from 1 to " + MAX_TIMEOUT_SECONDS, "OUT_OF_RANGE");
    }
  }
}
