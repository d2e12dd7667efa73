package org.stellaops.orchestrator.ciclients;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Plays the part of GitLab and its runner for one CI/CD component file, as far as a test needs:
 * <ul>
 *   <li>the file is a {@code spec:} header document and a configuration document
 *       (https://docs.gitlab.com/ci/components/#write-a-component);</li>
 *   <li>{@code $[[ inputs.NAME ]]} is replaced in keys and values with the given input or the
 *       input's {@code default}; an input without a default is required, and a given value
 *       must match the input's {@code regex} (https://docs.gitlab.com/ci/inputs/);</li>
 *   <li>the job's {@code variables} get CI/CD variable references ({@code $VAR}, {@code ${VAR}})
 *       expanded, {@code $$} kept as {@code $}
 *       (https://docs.gitlab.com/ci/variables/#use-cicd-variables-in-other-variables);</li>
 *   <li>the {@code script} entries run in one POSIX shell that stops at the first failing command,
 *       in a fresh project directory, with the predefined and CI/CD variables as the environment
 *       (https://docs.gitlab.com/ci/variables/predefined_variables/).</li>
 * </ul>
 * The shell is the machine's {@code sh} with its real {@code curl}, so requests really reach
 * the gateway (or a recording server) over loopback.
 */
final class GitLabComponentRunner {

  private static final Pattern INPUT = Pattern.compile("\\$\\[\\[\\s*inputs\\.([A-Za-z0-9_-]+)\\s*]]");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)}|\\$([A-Za-z_][A-Za-z0-9_]*)");

  /** A job's outcome: exit code, its log (stdout and stderr together) and its project directory. */
  record Run(int exitCode, String log, Path projectDir) {
    String file(String name) {
      try {
        Path p = projectDir.resolve(name);
        return Files.exists(p) ? Files.readString(p) : null;
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private final Map<String, Object> spec;
  private final Map<String, Object> config;

  GitLabComponentRunner(Path file) {
    try {
      List<Object> documents = new java.util.ArrayList<>();
      new Yaml(new LoaderOptions()).loadAll(Files.readString(file)).forEach(documents::add);
      if (documents.size() != 2) {
        throw new IllegalStateException(file + ": a component is a spec header and one configuration document");
      }
      spec = map(map(documents.get(0)).get("spec"));
      config = map(documents.get(1));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code spec:inputs}, by name. */
  Map<String, Map<String, Object>> inputs() {
    Map<String, Map<String, Object>> inputs = new LinkedHashMap<>();
    map(spec.get("inputs")).forEach((name, definition) ->
        inputs.put(name, definition == null ? Map.of() : map(definition)));
    return inputs;
  }

  /** The configuration with every {@code $[[ inputs.x ]]} replaced, as GitLab includes it. */
  Map<String, Object> interpolate(Map<String, String> given) {
    Map<String, String> values = new LinkedHashMap<>();
    inputs().forEach((name, definition) -> {
      if (given.containsKey(name)) {
        Object regex = definition.get("regex");
        if (regex != null && !Pattern.compile(String.valueOf(regex)).matcher(given.get(name)).find()) {
          throw new IllegalArgumentException("`" + name + "` input: provided value does not match required RegEx pattern");
        }
        values.put(name, given.get(name));
      } else if (definition.containsKey("default")) {
        values.put(name, String.valueOf(definition.get("default")));
      } else {
        throw new IllegalArgumentException("input " + name + " is required");
      }
    });
    given.keySet().stream().filter(n -> !values.containsKey(n)).findFirst().ifPresent(n -> {
      throw new IllegalArgumentException("unknown input " + n);
    });
    return map(interpolate(config, values));
  }

  /** The single job of the interpolated configuration. */
  Map<String, Object> job(Map<String, String> given) {
    Map<String, Object> interpolated = interpolate(given);
    if (interpolated.size() != 1) {
      throw new IllegalStateException("the component should add exactly one job: " + interpolated.keySet());
    }
    return map(interpolated.values().iterator().next());
  }

  /**
   * Runs the job's script with {@code ciVariables} (predefined, CI/CD and ID token variables) and
   * the job's own {@code variables}, expanded against them.
   */
  Run run(Map<String, String> inputs, Map<String, String> ciVariables) {
    Map<String, Object> job = job(inputs);
    Map<String, String> env = new LinkedHashMap<>(ciVariables);
    map(job.getOrDefault("variables", Map.of())).forEach((name, value) ->
        env.putIfAbsent(name, expand(String.valueOf(value), ciVariables)));
    @SuppressWarnings("unchecked")
    List<String> script = (List<String>) job.get("script");
    try {
      Path projectDir = Files.createTempDirectory("gitlab-project");
      Path scriptFile = Files.createTempFile("gitlab-job", ".sh");
      Files.writeString(scriptFile, "set -e\n" + String.join("\n", script) + "\n");
      Path logFile = Files.createTempFile("gitlab-job", ".log");
      ProcessBuilder pb = new ProcessBuilder("sh", scriptFile.toString()).directory(projectDir.toFile())
          .redirectErrorStream(true).redirectOutput(logFile.toFile());
      String path = System.getenv("PATH");
      pb.environment().clear();
      pb.environment().put("PATH", path);
      pb.environment().put("HOME", projectDir.toString());
      pb.environment().putAll(env);
      Process process = pb.start();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("the job did not finish: " + Files.readString(logFile));
      }
      Run run = new Run(process.exitValue(), Files.readString(logFile, StandardCharsets.UTF_8), projectDir);
      // The job log, as GitLab would show it, in the test's output file.
      System.out.println("--- job log (exit " + run.exitCode() + ") ---\n" + run.log());
      return run;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Project variables win over the job's own {@code variables} (https://docs.gitlab.com/ci/variables/#cicd-variable-precedence),
   * hence {@code putIfAbsent} above; references to unknown variables expand to nothing.
   */
  static String expand(String value, Map<String, String> variables) {
    Matcher m = VARIABLE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2);
      String replacement = name == null ? "$" : variables.getOrDefault(name, "");
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    return m.appendTail(out).toString();
  }

  private static Object interpolate(Object node, Map<String, String> values) {
    if (node instanceof String s) {
      Matcher m = INPUT.matcher(s);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String value = values.get(m.group(1));
        if (value == null) {
          throw new IllegalArgumentException("unknown input in $[[ ]]: " + m.group(1));
        }
        m.appendReplacement(out, Matcher.quoteReplacement(value));
      }
      return m.appendTail(out).toString();
    }
    if (node instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put((String) interpolate(String.valueOf(k), values), interpolate(v, values)));
      return out;
    }
    if (node instanceof List<?> l) {
      return l.stream().map(v -> interpolate(v, values)).toList();
    }
    return node;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    if (!(o instanceof Map)) {
      throw new IllegalStateException("expected a mapping, got " + o);
    }
    return (Map<String, Object>) o;
  }
}
