package org.stellaops.orchestrator.ci.jenkins;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which endpoint a trigger uses and which parameters it sends, decided by the job's own definition. Pure.
 *
 * <p>Jenkins refuses {@code buildWithParameters} on a job without parameters (400 "{job} is not parameterized"
 * since 2.524; "This build is not parameterized!" as a 500 before) and refuses {@code build} on a parameterized
 * job (400 "Nothing is submitted"): jenkins/model/ParameterizedJobMixIn.java and
 * hudson/model/ParametersDefinitionProperty.java in https://github.com/jenkinsci/jenkins. So the endpoint follows
 * the job's {@code ParametersDefinitionProperty}, never what the caller happened to send.
 */
record JobParameters(String endpoint, Map<String, String> send, List<String> notes) {

  /** The job's parameter names and nothing else (https://www.jenkins.io/doc/book/using/remote-access-api/). */
  static final String TREE = "property[parameterDefinitions[name]]";

  /** {@code {"property": [{"parameterDefinitions": [{"name": "X"}, …]}, {…}]}} → {@code {X, …}}. */
  static Set<String> declared(JsonObject job) {
    Set<String> names = new LinkedHashSet<>();
    JsonArray properties = job.getJsonArray("property", new JsonArray());
    for (Object property : properties) {
      if (property instanceof JsonObject p && p.getValue("parameterDefinitions") instanceof JsonArray definitions) {
        for (Object definition : definitions) {
          if (definition instanceof JsonObject d && d.getString("name") != null) {
            names.add(d.getString("name"));
          }
        }
      }
    }
    return Set.copyOf(names);
  }

  /**
   * Sends the given values of declared parameters (the step's own and the context alike) to
   * {@code buildWithParameters}, or nothing to {@code build} when the job declares none; the notes name every
   * given variable left out.
   */
  static JobParameters plan(String pipelineId, Set<String> declared, Map<String, String> variables,
      Map<String, String> context) {
    Map<String, String> given = new LinkedHashMap<>();
    context.forEach(given::put);
    variables.forEach(given::put);
    Map<String, String> send = new LinkedHashMap<>();
    List<String> undeclared = new ArrayList<>();
    given.forEach((name, value) -> {
      if (!declared.contains(name)) {
        undeclared.add(name);
      } else if (value != null) {
        // A null would reach the job as the text "null"; left out, the job uses its default.
        send.put(name, value);
      }
    });
    List<String> notes = undeclared.isEmpty() ? List.of()
        : List.of("Jenkins job " + pipelineId + (declared.isEmpty() ? " has no parameters" : " does not declare "
            + String.join(", ", undeclared.stream().sorted().toList())) + "; not sent: "
            + String.join(", ", undeclared.stream().sorted().toList()));
    return new JobParameters(declared.isEmpty() ? "/build" : "/buildWithParameters", send, notes);
  }

  /** Jenkins' refusals for the wrong endpoint; either means the job's parameters changed since we read them. */
  static boolean refusedForParameters(int status, String body) {
    if ((status != 400 && status != 500) || body == null) {
      return false;
    }
    String text = body.toLowerCase(Locale.ROOT);
    return text.contains("is not parameterized") || text.contains("nothing is submitted");
  }
}
