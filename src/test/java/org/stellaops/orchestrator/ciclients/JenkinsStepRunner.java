package org.stellaops.orchestrator.ciclients;

import groovy.lang.Binding;
import groovy.lang.Closure;
import groovy.lang.GroovyShell;
import groovy.lang.Script;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.codehaus.groovy.control.CompilerConfiguration;
import org.codehaus.groovy.control.customizers.ImportCustomizer;
import org.codehaus.groovy.runtime.InvokerHelper;

/**
 * Runs a Jenkins shared library step ({@code vars/NAME.groovy},
 * https://www.jenkins.io/doc/book/pipeline/shared-libraries/#defining-global-variables) outside
 * Jenkins, with the Pipeline steps it calls stubbed as their plugins document them:
 * <ul>
 *   <li>{@code httpRequest} (https://www.jenkins.io/doc/pipeline/steps/http_request/): only the
 *       documented parameters are accepted; the request really goes out with the JDK client
 *       (the plugin's {@code APPLICATION_JSON} content type is {@code application/json; charset=UTF-8}),
 *       a status outside {@code validResponseCodes} fails the step, and the answer has
 *       {@code status} and {@code content} like the plugin's {@code ResponseContentSupplier};</li>
 *   <li>{@code withCredentials} and {@code string(credentialsId:, variable:)}
 *       (https://www.jenkins.io/doc/pipeline/steps/credentials-binding/): the secret text is in
 *       {@code env} for the block only, an unknown id fails;</li>
 *   <li>{@code error} throws (https://www.jenkins.io/doc/pipeline/steps/workflow-basic-steps/#error-error-signal),
 *       {@code echo} writes to the build log, {@code env} is the build's environment.</li>
 * </ul>
 * Like Jenkins, the script sees {@code @NonCPS} without an import.
 */
final class JenkinsStepRunner {

  /** The step's failure, as {@code error(...)} raises it (Jenkins shows its message). */
  static final class PipelineError extends RuntimeException {
    PipelineError(String message) {
      super(message);
    }
  }

  /** What the HTTP Request plugin's step returns (its ResponseContentSupplier). */
  public static final class ResponseContentSupplier {
    private final int status;
    private final String content;

    ResponseContentSupplier(int status, String content) {
      this.status = status;
      this.content = content;
    }

    public int getStatus() {
      return status;
    }

    public String getContent() {
      return content;
    }
  }

  /** The httpRequest parameters listed on the step's reference page. */
  private static final Set<String> HTTP_REQUEST_PARAMETERS = Set.of("acceptType", "authentication",
      "consoleLogResponseBody", "contentType", "customHeaders", "formData", "httpMode", "httpProxy",
      "ignoreSslErrors", "multipartName", "outputFile", "proxyAuthentication", "quiet", "requestBody",
      "responseHandle", "timeout", "uploadFile", "url", "useNtlm", "useSystemProperties",
      "validResponseCodes", "validResponseContent", "wrapAsMultipart");
  private static final Map<String, String> MIME_TYPES = Map.of(
      "NOT_SET", "", "TEXT_HTML", "text/html; charset=UTF-8", "TEXT_PLAIN", "text/plain; charset=UTF-8",
      "APPLICATION_JSON", "application/json; charset=UTF-8", "APPLICATION_JSON_UTF8", "application/json; charset=UTF-8",
      "APPLICATION_OCTETSTREAM", "application/octet-stream", "APPLICATION_FORM", "application/x-www-form-urlencoded; charset=ISO-8859-1");

  final Map<String, Object> env = new HashMap<>();
  final Map<String, String> credentials = new HashMap<>();
  final List<Map<String, Object>> httpRequests = new CopyOnWriteArrayList<>();
  final List<String> log = new CopyOnWriteArrayList<>();
  /** Whether each httpRequest ran with the bound secret in env (it should: inside withCredentials). */
  final List<Boolean> credentialsBoundDuringRequest = new CopyOnWriteArrayList<>();

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final Path stepFile;
  private final List<String> boundVariables = new ArrayList<>();

  JenkinsStepRunner(Path stepFile) {
    this.stepFile = stepFile;
  }

  /** {@code NAME(args)} in a Jenkinsfile: the step's {@code call(Map)}. */
  Object call(Map<String, Object> args) {
    Binding binding = new Binding();
    binding.setVariable("env", env);
    binding.setVariable("echo", stub(a -> {
      log.add(String.valueOf(a[0]));
      return null;
    }));
    binding.setVariable("error", stub(a -> {
      throw new PipelineError(String.valueOf(a[0]));
    }));
    binding.setVariable("string", stub(a -> new HashMap<>(map(a[0]))));
    binding.setVariable("withCredentials", stub(a -> withCredentials((List<?>) a[0], (Closure<?>) a[1])));
    binding.setVariable("httpRequest", stub(a -> httpRequest(map(a[0]))));
    Script script = InvokerHelper.createScript(COMPILED.computeIfAbsent(stepFile, JenkinsStepRunner::compile), binding);
    return script.invokeMethod("call", new Object[] {args});
  }

  /** Compiled once per file: each build binds its own stubs to a new instance. */
  private static final Map<Path, Class<?>> COMPILED = new ConcurrentHashMap<>();

  private static Class<?> compile(Path file) {
    CompilerConfiguration config = new CompilerConfiguration();
    config.addCompilationCustomizers(new ImportCustomizer().addImport("NonCPS", NonCPS.class.getName()));
    try {
      return new GroovyShell(JenkinsStepRunner.class.getClassLoader(), config).parse(file.toFile()).getClass();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private Object withCredentials(List<?> bindings, Closure<?> body) {
    for (Object b : bindings) {
      Map<String, Object> binding = map(b);
      String id = String.valueOf(binding.get("credentialsId"));
      String secret = credentials.get(id);
      if (secret == null) {
        throw new IllegalStateException("Could not find credentials entry with ID '" + id + "'");
      }
      String variable = String.valueOf(binding.get("variable"));
      env.put(variable, secret);
      boundVariables.add(variable);
    }
    try {
      return body.call();
    } finally {
      boundVariables.forEach(env::remove);
      boundVariables.clear();
    }
  }

  private ResponseContentSupplier httpRequest(Map<String, Object> args) {
    httpRequests.add(args);
    credentialsBoundDuringRequest.add(!boundVariables.isEmpty());
    args.keySet().stream().filter(k -> !HTTP_REQUEST_PARAMETERS.contains(k)).findFirst().ifPresent(k -> {
      throw new IllegalArgumentException("httpRequest has no parameter " + k);
    });
    String contentType = MIME_TYPES.get(String.valueOf(args.getOrDefault("contentType", "NOT_SET")));
    if (contentType == null) {
      throw new IllegalArgumentException("httpRequest contentType " + args.get("contentType") + " is not a MimeType");
    }
    String method = String.valueOf(args.getOrDefault("httpMode", "GET"));
    Object body = args.get("requestBody");
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(String.valueOf(args.get("url"))))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(String.valueOf(body)));
    if (!contentType.isEmpty()) {
      request.header("Content-Type", contentType);
    }
    for (Object h : (List<?>) args.getOrDefault("customHeaders", List.of())) {
      Map<String, Object> header = map(h);
      request.header(String.valueOf(header.get("name")), String.valueOf(header.get("value")));
    }
    try {
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      String valid = String.valueOf(args.getOrDefault("validResponseCodes", "100:399"));
      if (!inRanges(response.statusCode(), valid)) {
        throw new PipelineError("Fail: Status code " + response.statusCode() + " is not in the accepted range: " + valid);
      }
      return new ResponseContentSupplier(response.statusCode(), response.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code validResponseCodes}: comma-separated codes or {@code from:to} ranges. */
  private static boolean inRanges(int status, String ranges) {
    for (String range : ranges.split(",")) {
      String[] bounds = range.trim().split(":");
      int from = Integer.parseInt(bounds[0].trim());
      int to = bounds.length > 1 ? Integer.parseInt(bounds[1].trim()) : from;
      if (status >= from && status <= to) {
        return true;
      }
    }
    return false;
  }

  private interface Body {
    Object apply(Object[] args);
  }

  /** A Groovy closure calling {@code body}; a step called with named arguments gets one Map. */
  private Closure<Object> stub(Body body) {
    return new Closure<>(this) {
      @Override
      public Object call(Object... args) {
        return body.apply(args);
      }

      @Override
      public Object call(Object arg) {
        return body.apply(new Object[] {arg});
      }

      @Override
      public Object call() {
        return body.apply(new Object[0]);
      }
    };
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }
}
