package org.stellaops.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.stellaops.orchestrator.support.RawHttp;
import org.stellaops.orchestrator.support.RawHttp.Answer;
import org.stellaops.orchestrator.support.TestDatabases;
import org.stellaops.orchestrator.support.TestGateway;
import org.yaml.snakeyaml.Yaml;

/**
 * Walks every operation of the OpenAPI description the gateway serves and feeds it malformed
 * and hostile input: wrong JSON types, missing fields, NUL and other control characters, lone
 * surrogates, invalid UTF-8, huge strings, arrays and numbers, deep nesting, comments,
 * duplicate keys, bad path and query parameters (NUL, broken percent escapes, huge values) and
 * bad headers. Whatever it sends, the gateway must answer: no 5xx but the documented upstream
 * ones, every 4xx in the error envelope with a request id, no ERROR log line, an inbox that
 * drains and a readiness probe that stays up.
 */
class HostileInputTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  private static final String WEBHOOK_SECRET = "hostile-webhook-secret";
  /** Answers for upstream failures, each with its code; anything else 5xx is a bug. */
  private static final Set<Integer> UPSTREAM = Set.of(502, 503, 504);

  private record Probe(String method, String target, Map<String, String> headers, byte[] body, String what) {}

  @Test
  @DisplayName("every operation shrugs off malformed and hostile input: no 5xx, the envelope on every 4xx, no ERROR "
      + "log, the inbox drains, ready stays up")
  void everyOperationShrugsOffHostileInput() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    try (TestGateway gw = TestGateway.start()) {
      Map<String, String> ids = fixtures(gw);
      Map<String, Object> spec = new Yaml().load(gw.get("/api/v1/openapi.yaml", null).body());
      @SuppressWarnings("unchecked")
      Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) spec.get("paths");
      List<Probe> probes = new ArrayList<>();
      for (Map.Entry<String, Map<String, Object>> path : paths.entrySet()) {
        for (Map.Entry<String, Object> op : path.getValue().entrySet()) {
          if (Set.of("get", "post", "patch", "put", "delete").contains(op.getKey())) {
            @SuppressWarnings("unchecked")
            Map<String, Object> operation = (Map<String, Object>) op.getValue();
            probes.addAll(probes(spec, path.getKey(), op.getKey().toUpperCase(), operation, ids));
          }
        }
      }
      assertThat(paths).hasSizeGreaterThan(40);
      List<String> problems = new ArrayList<>();
      for (Probe probe : probes) {
        Answer answer = RawHttp.send(gw.app().port(), probe.method(), probe.target(), probe.headers(), probe.body());
        problem(answer).ifPresent(p -> problems.add(probe.method() + " " + abbreviate(probe.target()) + " ("
            + abbreviate(probe.what()) + "): " + p));
      }
      SoftAssertions soft = new SoftAssertions();
      soft.assertThat(problems).as("%d of %d hostile requests were mishandled", problems.size(), probes.size())
          .isEmpty();
      soft.assertThat(gw.get("/health/ready", null).status()).as("readiness after the run").isEqualTo(200);
      soft.assertThatCode(() -> await().atMost(Duration.ofSeconds(60)).until(() -> TestDatabases.query(gw.dbUrl(),
          "SELECT count(*)::text FROM webhook_delivery_state WHERE status = 'received'").get(0).equals("0")))
          .as("the inbox drains").doesNotThrowAnyException();
      List<String> errors = logs.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
          .map(e -> e.getLoggerName() + ": " + abbreviate(e.getFormattedMessage())).distinct().toList();
      soft.assertThat(errors).as("ERROR log lines").isEmpty();
      soft.assertAll();
    } finally {
      root.detachAppender(logs);
    }
  }

  /** Why an answer breaks the rules, or empty. Pure. */
  static java.util.Optional<String> problem(Answer answer) {
    if (!answer.text().startsWith("HTTP/1.")) {
      return java.util.Optional.of("no HTTP answer: " + abbreviate(answer.text().replaceAll("\\s+", " ")));
    }
    if (answer.status() >= 500 && !UPSTREAM.contains(answer.status())) {
      return java.util.Optional.of("answered " + answer.status() + " " + abbreviate(answer.body()));
    }
    if (answer.status() < 400) {
      return java.util.Optional.empty();
    }
    try {
      JsonObject body = answer.json();
      JsonObject error = body.getJsonObject("error");
      if (!Boolean.FALSE.equals(body.getBoolean("success")) || error == null || error.getString("code") == null
          || error.getString("message") == null || body.getJsonObject("meta") == null
          || body.getJsonObject("meta").getString("requestId") == null) {
        return java.util.Optional.of("not the error envelope: " + answer.status() + " " + abbreviate(answer.body()));
      }
    } catch (RuntimeException e) {
      return java.util.Optional.of("not JSON: " + answer.status() + " " + abbreviate(answer.body().replaceAll("\\s+", " ")));
    }
    return java.util.Optional.empty();
  }

  /** Real objects for path parameters, so probes reach the handlers and not only 404s. */
  private static Map<String, String> fixtures(TestGateway gw) {
    Map<String, String> ids = new LinkedHashMap<>();
    String component = gw.createComponent("hostile", "registry.example.com/hostile/app").getString("id");
    ids.put("component", component);
    ids.put("release", gw.post("/api/v1/releases", ADMIN, new JsonObject().put("name", "hostile-1")
        .put("components", new JsonArray().add(new JsonObject().put("componentId", component)
            .put("digest", "sha256:" + "a".repeat(64))))).data().getString("id"));
    ids.put("ci", gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "ci.gitlab").put("name", "hostile-ci")
        .put("config", new JsonObject().put("endpoint", "https://gitlab.example.com"))
        .put("credentials", new JsonObject().put("webhookSecret", WEBHOOK_SECRET))).data().getString("id"));
    ids.put("registry", gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "registry.dockerhub")
        .put("name", "hostile-hub").put("credentials", new JsonObject().put("webhookSecret", WEBHOOK_SECRET)))
        .data().getString("id"));
    ids.put("environment", gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", "hostile-env"))
        .data().getString("id"));
    ids.put("account", gw.createServiceAccount(new JsonObject().put("name", "hostile-sa")
        .put("roles", new JsonArray().add("viewer"))).getString("id"));
    return ids;
  }

  private static List<Probe> probes(Map<String, Object> spec, String path, String method, Map<String, Object> op,
      Map<String, String> ids) {
    List<Probe> probes = new ArrayList<>();
    String good = fill(path, ids, null);
    Map<String, String> headers = headersFor(path);
    String secretQuery = path.contains("/webhooks/registry/") ? "?secret=" + WEBHOOK_SECRET : "";
    boolean hasBody = op.containsKey("requestBody");
    byte[] minimal = hasBody ? "{}".getBytes(StandardCharsets.UTF_8) : new byte[0];

    for (String bad : List.of("%00", "%zz", "%", "%C0%AF", "a".repeat(3000), "..%2F..%2Fetc", "%F0%9F%98", "null",
        "-1", "%E2%80%AE")) {
      if (path.contains("{")) {
        probes.add(new Probe(method, fill(path, ids, bad) + secretQuery, headers, minimal, "path " + bad));
      }
    }
    for (String query : queryNames(spec, op)) {
      for (String bad : List.of("%00", "%zz", "x".repeat(5000), "-1", "99999999999999999999999", "%FF%FE", "a%26b",
          "1e400")) {
        String sep = secretQuery.isEmpty() ? "?" : secretQuery + "&";
        probes.add(new Probe(method, good + sep + query + "=" + bad, headers, minimal, "query " + query + "=" + bad));
      }
    }
    String target = good + secretQuery;
    probes.add(new Probe(method, target + (secretQuery.isEmpty() ? "?" : "&") + "%zz=1", headers, minimal,
        "query name %zz"));
    probes.add(new Probe(method, target, Map.of("Authorization", "Bearer \u0001\u0002"), minimal, "control token"));
    probes.add(new Probe(method, target, Map.of("Authorization", "Bearer " + "x".repeat(6000)), minimal, "long token"));
    probes.add(new Probe(method, target, merge(headers, Map.of("X-Request-Id", "\u0007bell")), minimal,
        "control request id"));
    probes.add(new Probe(method, target, merge(headers, Map.of("X-Huge", "h".repeat(20_000))), minimal,
        "huge header"));
    if (!hasBody && !method.equals("POST")) {
      return probes;
    }
    for (Map.Entry<String, byte[]> body : bodies(spec, op).entrySet()) {
      probes.add(new Probe(method, target, headers, body.getValue(), "body " + body.getKey()));
    }
    probes.add(new Probe(method, target, merge(headers, Map.of("Content-Type", "text/plain")),
        "{}".getBytes(StandardCharsets.UTF_8), "text/plain body"));
    return probes;
  }

  /** The path with real ids for its parameters, or {@code bad} for every one. */
  private static String fill(String path, Map<String, String> ids, String bad) {
    String filled = path;
    if (path.startsWith("/api/v1/webhooks/ci/")) {
      filled = filled.replace("{integrationId}", bad != null ? bad : ids.get("ci"));
    } else if (path.startsWith("/api/v1/webhooks/registry/")) {
      filled = filled.replace("{integrationId}", bad != null ? bad : ids.get("registry"));
    }
    String[] kinds = {"components", "releases", "integrations", "environments", "service-accounts"};
    String[] keys = {"component", "release", "ci", "environment", "account"};
    for (int i = 0; i < kinds.length; i++) {
      if (filled.startsWith("/api/v1/" + kinds[i] + "/{id}")) {
        filled = filled.replaceFirst("\\{id}", bad != null ? bad : ids.get(keys[i]));
      }
    }
    return filled.replaceAll("\\{[^}]+}", bad != null ? bad : "00000000-0000-0000-0000-000000000000");
  }

  private static Map<String, String> headersFor(String path) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    if (path.startsWith("/api/v1/webhooks/ci/")) {
      headers.put("X-Gitlab-Token", WEBHOOK_SECRET);
      headers.put("X-Gitlab-Event", "Pipeline Hook");
    } else if (!path.startsWith("/api/v1/webhooks/registry/")) {
      headers.put("Authorization", "Bearer " + ADMIN);
    }
    return headers;
  }

  @SuppressWarnings("unchecked")
  private static List<String> queryNames(Map<String, Object> spec, Map<String, Object> op) {
    List<String> names = new ArrayList<>();
    for (Object p : (List<Object>) op.getOrDefault("parameters", List.of())) {
      Map<String, Object> param = resolve(spec, (Map<String, Object>) p);
      if ("query".equals(param.get("in"))) {
        names.add(String.valueOf(param.get("name")));
      }
    }
    return names;
  }

  /** Malformed bodies, and per top-level property of the request schema a value of the wrong type. */
  @SuppressWarnings("unchecked")
  private static Map<String, byte[]> bodies(Map<String, Object> spec, Map<String, Object> op) {
    Map<String, byte[]> bodies = new LinkedHashMap<>();
    for (String text : List.of("[]", "\"x\"", "123", "null", "true", "{", "{\"a\":}", "{/* c */}", "// c\n{}",
        "{\"name\":\"a\",\"name\":\"b\"}", "{\"name\":\"a\\u0000b\"}", "{\"name\":\"a\\u0001b\"}",
        "{\"name\":\"\\ud800\"}", "{\"name\":\"\\udc00x\\ud800\"}", "{\"name\":1e400}",
        "{\"name\":123456789012345678901234567890123456789}", "{\"\\u0000\":1}")) {
      bodies.put(text, text.getBytes(StandardCharsets.UTF_8));
    }
    bodies.put("raw NUL", "{\"name\":\"a\u0000b\"}".getBytes(StandardCharsets.UTF_8));
    bodies.put("invalid UTF-8", concat("{\"name\":\"".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xff,
        (byte) 0xfe, (byte) 0xc0}, "\"}".getBytes(StandardCharsets.UTF_8)));
    bodies.put("huge string", ("{\"name\":\"" + "s".repeat(200_000) + "\"}").getBytes(StandardCharsets.UTF_8));
    bodies.put("huge array", ("{\"name\":[" + "1,".repeat(50_000) + "1]}").getBytes(StandardCharsets.UTF_8));
    bodies.put("deep nesting", ("{\"name\":" + "[".repeat(5000) + "]".repeat(5000) + "}")
        .getBytes(StandardCharsets.UTF_8));
    bodies.put("over the body limit", ("{\"name\":\"" + "b".repeat(1_100_000) + "\"}").getBytes(StandardCharsets.UTF_8));
    Map<String, Object> schema = requestSchema(spec, op);
    Map<String, Object> properties = schema == null ? Map.of()
        : (Map<String, Object>) schema.getOrDefault("properties", Map.of());
    for (Map.Entry<String, Object> property : properties.entrySet()) {
      Map<String, Object> propertySchema = resolve(spec, (Map<String, Object>) property.getValue());
      Object type = propertySchema.get("type");
      String wrong = "string".equals(type) || (type instanceof List<?> l && l.contains("string")) ? "123" : "\"x\"";
      bodies.put(property.getKey() + " of the wrong type", new JsonObject().put(property.getKey(),
          new JsonArray("[" + wrong + "]").getValue(0)).encode().getBytes(StandardCharsets.UTF_8));
      bodies.put(property.getKey() + " as an object", ("{\"" + property.getKey() + "\":{\"$gt\":\"\"}}")
          .getBytes(StandardCharsets.UTF_8));
      bodies.put(property.getKey() + " with NUL", ("{\"" + property.getKey() + "\":\"x\\u0000\"}")
          .getBytes(StandardCharsets.UTF_8));
    }
    return bodies;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> requestSchema(Map<String, Object> spec, Map<String, Object> op) {
    Object body = op.get("requestBody");
    if (!(body instanceof Map)) {
      return null;
    }
    Map<String, Object> content = (Map<String, Object>) resolve(spec, (Map<String, Object>) body).get("content");
    if (content == null) {
      return null;
    }
    Map<String, Object> json = (Map<String, Object>) content.values().iterator().next();
    Object schema = json.get("schema");
    return schema instanceof Map ? resolve(spec, (Map<String, Object>) schema) : null;
  }

  /** Follows a local {@code $ref} ("#/components/…"). */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> resolve(Map<String, Object> spec, Map<String, Object> node) {
    Object ref = node.get("$ref");
    if (!(ref instanceof String pointer) || !pointer.startsWith("#/")) {
      return node;
    }
    Object at = spec;
    for (String part : pointer.substring(2).split("/")) {
      at = ((Map<String, Object>) at).get(part);
    }
    return resolve(spec, (Map<String, Object>) at);
  }

  private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
    Map<String, String> merged = new LinkedHashMap<>(a);
    merged.putAll(b);
    return merged;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static String abbreviate(String text) {
    return text.length() > 100 ? text.substring(0, 100) + "…(" + text.length() + " chars)" : text;
  }
}
