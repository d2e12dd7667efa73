package org.stellaops.orchestrator.ci.github;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * What a workflow file says about being dispatched: whether it has a {@code workflow_dispatch} trigger and the
 * names of the inputs that trigger declares (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#onworkflow_dispatchinputs).
 * GitHub refuses a dispatch carrying any other input with 422 "Unexpected inputs provided". Pure.
 */
public record WorkflowInputs(boolean dispatchable, Set<String> inputs) {

  /** Larger workflow files are refused rather than parsed on an event loop. */
  static final int MAX_FILE_CHARS = 512 * 1024;

  public WorkflowInputs {
    inputs = Set.copyOf(inputs);
  }

  /**
   * Reads the {@code on:} section. Safe loading only (no Java types), aliases and size bounded. YAML 1.1, which
   * SnakeYAML speaks, reads the key {@code on} as the boolean true; both spellings are accepted.
   *
   * @throws IllegalArgumentException when the file is not YAML or is too large
   */
  static WorkflowInputs parse(String yaml) {
    if (yaml.length() > MAX_FILE_CHARS) {
      throw new IllegalArgumentException("the workflow file is larger than " + MAX_FILE_CHARS + " characters");
    }
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(50);
    options.setCodePointLimit(MAX_FILE_CHARS);
    options.setNestingDepthLimit(50);
    Object document;
    try {
      document = new Yaml(new SafeConstructor(options)).load(yaml);
    } catch (YAMLException e) {
      throw new IllegalArgumentException("the workflow file is not valid YAML (" + firstLine(e.getMessage()) + ")");
    }
    if (!(document instanceof Map<?, ?> workflow)) {
      return new WorkflowInputs(false, Set.of());
    }
    Object on = workflow.containsKey(Boolean.TRUE) ? workflow.get(Boolean.TRUE) : workflow.get("on");
    return fromOn(on);
  }

  /** {@code on: workflow_dispatch}, {@code on: [push, workflow_dispatch]} or {@code on: {workflow_dispatch: …}}. */
  private static WorkflowInputs fromOn(Object on) {
    if ("workflow_dispatch".equals(on)) {
      return new WorkflowInputs(true, Set.of());
    }
    if (on instanceof Collection<?> events) {
      return new WorkflowInputs(events.contains("workflow_dispatch"), Set.of());
    }
    if (on instanceof Map<?, ?> events && events.containsKey("workflow_dispatch")) {
      Set<String> names = new LinkedHashSet<>();
      if (events.get("workflow_dispatch") instanceof Map<?, ?> dispatch
          && dispatch.get("inputs") instanceof Map<?, ?> inputs) {
        inputs.keySet().forEach(name -> names.add(String.valueOf(name)));
      }
      return new WorkflowInputs(true, names);
    }
    return new WorkflowInputs(false, Set.of());
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
