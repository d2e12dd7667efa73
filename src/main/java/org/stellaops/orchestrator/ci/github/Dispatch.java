package org.stellaops.orchestrator.ci.github;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.stellaops.orchestrator.ci.CiException;
import org.stellaops.orchestrator.ci.RunStatus;
import org.stellaops.orchestrator.ci.VendorRun;

/** What one dispatch sends; pure, so the body and the input rules can be tested alone. */
record Dispatch(WorkflowPath path, String ref, Map<String, String> inputs) {

  JsonObject body(boolean returnRunDetails) {
    JsonObject body = new JsonObject()
        .put("ref", ref)
        .put("inputs", new JsonObject(new LinkedHashMap<String, Object>(inputs)));
    if (returnRunDetails) {
      body.put("return_run_details", true);
    }
    return body;
  }

  /** What a dispatch sends, and what it left out. */
  record Plan(Map<String, String> inputs, List<String> notes) {}

  /**
   * The inputs of one dispatch: every variable the step asked for, {@code correlation_id} when configured, and
   * the {@code context} ones only where the workflow declares them (noted otherwise). Refused before sending:
   * a workflow without {@code workflow_dispatch}, a variable or {@code correlation_id} the workflow does not
   * declare (GitHub: 422 "Unexpected inputs provided"), more than {@code maxInputs} inputs.
   */
  static Plan plan(String label, String pipelineId, WorkflowInputs declared, Map<String, String> variables,
      Map<String, String> context, String correlationId, int maxInputs) {
    if (!declared.dispatchable()) {
      throw new CiException.NotFound(label + ": workflow " + pipelineId + " has no workflow_dispatch trigger,"
          + " so it cannot be started through the API");
    }
    Map<String, String> inputs = new LinkedHashMap<>();
    List<String> undeclaredAsked = new ArrayList<>();
    List<String> contextLeftOut = new ArrayList<>();
    context.forEach((key, value) -> {
      if (!declared.inputs().contains(key)) {
        contextLeftOut.add(key);
      } else if (value != null) {
        inputs.put(key, value);
      }
    });
    variables.forEach((key, value) -> {
      if (!declared.inputs().contains(key)) {
        undeclaredAsked.add(key);
      } else if (value != null) {
        inputs.put(key, value);
      }
    });
    if (correlationId != null) {
      if (declared.inputs().contains("correlation_id")) {
        inputs.put("correlation_id", correlationId);
      } else {
        undeclaredAsked.add("correlation_id (config.correlationInput)");
      }
    }
    if (!undeclaredAsked.isEmpty()) {
      throw new CiException.Rejected(label + ": workflow " + pipelineId + " does not declare the input(s) "
          + String.join(", ", undeclaredAsked) + " under on.workflow_dispatch.inputs; GitHub would refuse the"
          + " dispatch (422 Unexpected inputs provided). Declared: "
          + (declared.inputs().isEmpty() ? "none" : String.join(", ", new TreeSet<>(declared.inputs()))));
    }
    if (inputs.size() > maxInputs) {
      throw new CiException.Rejected(label + ": a workflow_dispatch takes at most " + maxInputs + " inputs"
          + " (config.maxInputs), this one would have " + inputs.size() + " (" + String.join(", ", inputs.keySet())
          + ")");
    }
    List<String> notes = contextLeftOut.isEmpty() ? List.of()
        : List.of("GitHub workflow " + pipelineId + " does not declare the input(s) "
            + String.join(", ", contextLeftOut.stream().sorted().toList()) + "; not sent");
    return new Plan(inputs, notes);
  }

  /** {@code {"workflow_run_id", "run_url", "html_url"}} of a 200; empty for a 204 or a body without them. */
  static Optional<VendorRun> runDetails(String body) {
    if (body == null || body.isBlank()) {
      return Optional.empty();
    }
    try {
      JsonObject json = new JsonObject(body);
      Long runId = json.getLong("workflow_run_id");
      String htmlUrl = json.getString("html_url");
      return runId == null
          ? Optional.empty()
          : Optional.of(new VendorRun(String.valueOf(runId), RunStatus.PENDING, GitHubConnector.DISPATCHED, htmlUrl));
    } catch (DecodeException | ClassCastException e) {
      return Optional.empty();
    }
  }

  /** GHES 3.20 and older answer 400 or 422 naming the field they do not know. */
  static boolean refusesRunDetails(int status, String body) {
    return (status == 400 || status == 422) && body != null && body.contains("return_run_details");
  }

  /** GitHub's 422 for a workflow without the trigger: "Workflow does not have 'workflow_dispatch' trigger". */
  static boolean lacksDispatchTrigger(String body) {
    return body != null && body.toLowerCase(Locale.ROOT).contains("workflow_dispatch");
  }
}
