package org.stellaops.orchestrator.support;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Jenkins stand-in on a random loopback port that refuses what Jenkins refuses, for the remote access API
 * (https://www.jenkins.io/doc/book/using/remote-access-api/) as of Jenkins 2.524:
 * <ul>
 *   <li>HTTP Basic with the user's API token, else 401 (Jenkins' BasicHeaderApiTokenAuthenticator).</li>
 *   <li>{@code POST job/X/buildWithParameters} on a job without parameters: 400 "X is not parameterized"
 *       (jenkins/model/ParameterizedJobMixIn.java, https://github.com/jenkinsci/jenkins, 2.524); with
 *       {@link #legacy()} the older answer, a 500 from IllegalStateException "This build is not parameterized!"
 *       (same file, 2.x before 2.524).</li>
 *   <li>{@code POST job/X/build} on a parameterized job without a form: 400 "Nothing is submitted"
 *       (hudson/model/ParametersDefinitionProperty.java, 2.524).</li>
 *   <li>Undeclared parameters are dropped by Jenkins, never passed to the build (SECURITY-170,
 *       https://www.jenkins.io/redirect/security-144/).</li>
 *   <li>A trigger answers 201 with {@code Location: …/queue/item/N/}; the item has started when read.</li>
 * </ul>
 */
public final class FakeJenkins implements AutoCloseable {

  public static final String USER = "stella";
  public static final String API_TOKEN = "11aa22bb33cc44dd55ee66ff77889900aa";

  /** One build the fake started: the job, the endpoint used and the parameters the build got. */
  public record Build(String job, String endpoint, Map<String, String> parameters, int number) {}

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final Map<String, Set<String>> jobs = new ConcurrentHashMap<>();
  private final Map<Integer, Build> queue = new ConcurrentHashMap<>();
  private final List<Build> builds = new CopyOnWriteArrayList<>();
  private final List<String> userAgents = new CopyOnWriteArrayList<>();
  private final AtomicInteger nextQueueId = new AtomicInteger(100);
  private final AtomicInteger refusals = new AtomicInteger();
  private volatile boolean legacy;

  public FakeJenkins() {
    server = LoopbackServer.listen(vertx, this::handle);
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** A top-level job {@code name} declaring {@code parameters} (none: a job without parameters). */
  public FakeJenkins job(String name, String... parameters) {
    jobs.put(name, Set.of(parameters));
    return this;
  }

  /** Answers like Jenkins before 2.524 (buildWithParameters on a job without parameters is a 500). */
  public FakeJenkins legacy() {
    legacy = true;
    return this;
  }

  public List<Build> builds() {
    return builds;
  }

  /** How many triggers the fake refused for the wrong endpoint. */
  public int refusals() {
    return refusals.get();
  }

  public List<String> userAgents() {
    return userAgents;
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(body -> {
      userAgents.add(String.valueOf(req.getHeader("User-Agent")));
      String expected = "Basic " + Base64.getEncoder()
          .encodeToString((USER + ":" + API_TOKEN).getBytes(StandardCharsets.UTF_8));
      if (!expected.equals(req.getHeader("Authorization"))) {
        html(req, 401, "Invalid password/token for user: " + USER);
        return;
      }
      String path = req.path();
      String[] parts = path.split("/");
      if (parts.length >= 3 && parts[1].equals("job")) {
        String job = parts[2];
        Set<String> declared = jobs.get(job);
        if (declared == null) {
          html(req, 404, "Not Found");
          return;
        }
        String rest = String.join("/", java.util.Arrays.copyOfRange(parts, 3, parts.length));
        switch (req.method().name() + " " + rest) {
          case "GET api/json" -> json(req, 200, definition(declared));
          case "POST build" -> build(req, job, declared, "build");
          case "POST buildWithParameters" -> build(req, job, declared, "buildWithParameters");
          default -> {
            if (req.method().name().equals("GET") && rest.matches("\\d+/api/json")) {
              json(req, 200, new JsonObject().put("_class", "hudson.model.FreeStyleBuild")
                  .put("number", Integer.parseInt(parts[3])).put("url", url() + "/job/" + job + "/" + parts[3] + "/")
                  .put("building", false).put("result", "SUCCESS").put("duration", 1000)
                  .put("timestamp", System.currentTimeMillis() - 1000));
            } else {
              html(req, 404, "Not Found");
            }
          }
        }
      } else if (path.matches("/queue/item/\\d+/api/json")) {
        Build started = queue.get(Integer.parseInt(parts[3]));
        if (started == null) {
          html(req, 404, "Not Found");
          return;
        }
        json(req, 200, new JsonObject().put("_class", "hudson.model.Queue$LeftItem").put("id", Integer.parseInt(parts[3]))
            .put("cancelled", false).put("executable", new JsonObject().put("_class", "hudson.model.FreeStyleBuild")
                .put("number", started.number()).put("url", url() + "/job/" + started.job() + "/" + started.number() + "/")));
      } else {
        html(req, 404, "Not Found");
      }
    });
  }

  /** {@code GET job/X/api/json?tree=property[parameterDefinitions[name]]} as hudson.model.Api renders it. */
  private static JsonObject definition(Set<String> declared) {
    JsonArray properties = new JsonArray()
        .add(new JsonObject().put("_class", "jenkins.model.BuildDiscarderProperty"));
    if (!declared.isEmpty()) {
      JsonArray definitions = new JsonArray();
      declared.stream().sorted().forEach(name -> definitions.add(new JsonObject()
          .put("_class", "hudson.model.StringParameterDefinition").put("name", name)));
      properties.add(new JsonObject().put("_class", "hudson.model.ParametersDefinitionProperty")
          .put("parameterDefinitions", definitions));
    }
    return new JsonObject().put("_class", "hudson.model.FreeStyleProject").put("property", properties);
  }

  private void build(HttpServerRequest req, String job, Set<String> declared, String endpoint) {
    if (endpoint.equals("buildWithParameters") && declared.isEmpty()) {
      refusals.incrementAndGet();
      if (legacy) {
        html(req, 500, "java.lang.IllegalStateException: This build is not parameterized!");
      } else {
        html(req, 400, job + " is not parameterized");
      }
      return;
    }
    if (endpoint.equals("build") && !declared.isEmpty()) {
      refusals.incrementAndGet();
      html(req, 400, "Nothing is submitted");
      return;
    }
    MultiMap params = req.params();
    Map<String, String> got = new java.util.TreeMap<>();
    params.names().stream().filter(declared::contains).forEach(name -> got.put(name, params.get(name)));
    int queueId = nextQueueId.incrementAndGet();
    Build build = new Build(job, endpoint, Map.copyOf(got), builds.size() + 1);
    builds.add(build);
    queue.put(queueId, build);
    req.response().setStatusCode(201).putHeader("Location", url() + "/queue/item/" + queueId + "/").end();
  }

  /** Jenkins' error pages (Jetty's, for HttpResponses.errorWithoutStack) carry the message in the title. */
  private static void html(HttpServerRequest req, int status, String message) {
    req.response().setStatusCode(status).putHeader("Content-Type", "text/html;charset=utf-8")
        .end("<html><head><title>Error " + status + " " + message + "</title></head><body><h2>HTTP ERROR " + status
            + " " + message + "</h2></body></html>");
  }

  private static void json(HttpServerRequest req, int status, JsonObject body) {
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json;charset=utf-8")
        .end(body.encode());
  }

  @Override
  public void close() {
    vertx.close();
  }
}
