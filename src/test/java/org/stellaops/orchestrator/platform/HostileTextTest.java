package org.stellaops.orchestrator.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.support.TestDatabases;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;
import org.stellaops.orchestrator.support.Webhooks;

/**
 * A NUL character, which PostgreSQL cannot store in text or jsonb, is refused at the door with a
 * 400 naming where it was, on every route: in a JSON string or key, a path parameter, a query
 * parameter, and a vendor webhook's payload (after its signature or secret was checked).
 */
class HostileTextTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  private static final String SECRET = "s3cr3t-hostile";
  private static final String HOST = "127.0.0.1:5000";
  private static final Pattern PARAM = Pattern.compile("\\{([A-Za-z]+)\\}|\\*$");
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();

  private static Resp send(String method, String path, String body) {
    HttpRequest.Builder b = gw.request(path, ADMIN);
    if (body == null) {
      return gw.send(b.method(method, HttpRequest.BodyPublishers.noBody()).build());
    }
    return gw.send(b.header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build());
  }

  private static void assertRefused(Resp r, String field, String what) {
    assertThat(r.status()).as(what + ": " + r.body()).isEqualTo(400);
    assertThat(r.error().getString("code")).as(what).isEqualTo("VALIDATION_FAILED");
    JsonObject error = r.error().getJsonArray("validationErrors").getJsonObject(0);
    assertThat(error.getString("field")).as(what).isEqualTo(field);
    assertThat(error.getString("code")).as(what).isEqualTo("INVALID_CHARACTER");
  }

  /** The route's path with {@code hostile} in place of {@code param} and a fresh UUID for the others. */
  private static String pathWith(String template, String param, String hostile) {
    Matcher m = PARAM.matcher(template);
    StringBuilder path = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) == null ? "name" : m.group(1);
      m.appendReplacement(path, name.equals(param) ? hostile : UUID.randomUUID().toString());
    }
    m.appendTail(path);
    return path.toString();
  }

  private static List<String> params(String template) {
    List<String> names = new ArrayList<>();
    Matcher m = PARAM.matcher(template);
    while (m.find()) {
      names.add(m.group(1) == null ? "name" : m.group(1));
    }
    return names;
  }

  @Test
  @DisplayName("a NUL in any path parameter of any route is a 400 naming that parameter")
  void nulInEveryPathParameter() {
    int checked = 0;
    for (String route : gw.app().routes()) {
      String method = route.substring(0, route.indexOf(' '));
      String template = route.substring(route.indexOf(' ') + 1);
      for (String param : params(template)) {
        Resp r = send(method, pathWith(template, param, "x%00y"), method.equals("GET") ? null : "{}");
        assertRefused(r, param, route);
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(30);
  }

  @Test
  @DisplayName("a NUL in a query parameter's value or name, on any route, is a 400 naming the parameter")
  void nulInEveryQueryParameter() {
    for (String route : gw.app().routes()) {
      String method = route.substring(0, route.indexOf(' '));
      String path = pathWith(route.substring(route.indexOf(' ') + 1), "", "");
      String body = method.equals("GET") ? null : "{}";
      assertRefused(send(method, path + "?limit=10&tag=v1%00", body), "tag", route);
      assertRefused(send(method, path + "?st%00atus=x", body), "query", route);
    }
  }

  @Test
  @DisplayName("a NUL in any JSON string or key of a request body is a 400 naming its JSON path, and nothing is stored")
  void nulInJsonBodies() throws Exception {
    assertRefused(gw.post("/api/v1/components", ADMIN, "{\"name\":\"app\\u0000\",\"imageRepository\":\"" + HOST
        + "/demo/nul\"}"), "name", "component name");
    assertRefused(gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "registry.distribution")
        .put("name", "nul-registry").put("config", new JsonObject()
            .put("registryHosts", new JsonArray().add(HOST).add("evil\u0000.example")))
        .put("credentials", new JsonObject().put("webhookSecret", SECRET))), "config.registryHosts[1]",
        "integration config");
    assertRefused(gw.post("/api/v1/components", ADMIN, "{\"name\":\"app\",\"labels\":{\"te\\u0000am\":\"x\"}}"),
        "labels", "a key");
    assertThat(TestDatabases.query(gw.dbUrl(), "SELECT count(*) FROM component")).containsExactly("0");

    // Every route that takes a body: never a 5xx, and wherever the body is read, the same 400.
    int refused = 0;
    for (String route : gw.app().routes()) {
      String method = route.substring(0, route.indexOf(' '));
      if (method.equals("GET") || method.equals("DELETE")) {
        continue;
      }
      Resp r = send(method, pathWith(route.substring(route.indexOf(' ') + 1), "", ""),
          "{\"probe\":{\"list\":[\"ok\",\"a\\u0000\"]}}");
      assertThat(r.status()).as(route + ": " + r.body()).isLessThan(500);
      if (r.status() == 400) {
        assertRefused(r, "probe.list[1]", route);
        refused++;
      }
    }
    assertThat(refused).isGreaterThan(15);
  }

  @Test
  @DisplayName("a vendor webhook whose payload holds a NUL is refused with 400 after its secret is checked, and never stored")
  void nulInVendorWebhook() throws Exception {
    String registry = Webhooks.integration(gw, "registry.distribution", "hostile-registry", SECRET,
        Webhooks.registryHosts(HOST));
    String body = Webhooks.distributionPush("evt-nul-1", HOST, "demo/app", "v1\u0000",
        "sha256:" + "a".repeat(64));
    assertThat(body).contains("\\u0000");
    Map<String, String> headers = Map.of("Content-Type", "application/vnd.docker.distribution.events.v1+json",
        "Authorization", "Bearer " + SECRET);

    Resp wrongSecret = Webhooks.send(gw, "/api/v1/webhooks/registry/" + registry, body,
        Map.of("Authorization", "Bearer not-the-secret"));
    assertThat(wrongSecret.status()).isEqualTo(401);

    Resp r = Webhooks.send(gw, "/api/v1/webhooks/registry/" + registry, body, headers);
    assertRefused(r, "events[0].target.tag", "registry webhook");
    assertThat(TestDatabases.query(gw.dbUrl(), "SELECT count(*) FROM webhook_delivery")).containsExactly("0");

    // The same push without the NUL is accepted: the refusal is about the character alone.
    Resp clean = Webhooks.send(gw, "/api/v1/webhooks/registry/" + registry,
        Webhooks.distributionPush("evt-nul-2", HOST, "demo/app", "v1", "sha256:" + "a".repeat(64)), headers);
    assertThat(clean.status()).isEqualTo(202);
  }

  @Test
  @DisplayName("a NUL in a header the inbox would keep is refused by the HTTP server with 400, before any handler runs")
  void nulInKeptHeader() throws Exception {
    String registry = Webhooks.integration(gw, "registry.distribution", "header-registry", SECRET,
        Webhooks.registryHosts(HOST));
    String body = Webhooks.distributionPush("evt-hdr-1", HOST, "demo/app", "v1", "sha256:" + "b".repeat(64));
    String request = "POST /api/v1/webhooks/registry/" + registry + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1\r\n"
        + "Authorization: Bearer " + SECRET + "\r\n"
        + "Content-Type: application/json\r\n"
        + "User-Agent: agent\u0000x\r\n"
        + "Content-Length: " + body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + "\r\n"
        + "Connection: close\r\n\r\n" + body;
    String answer;
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", java.net.URI.create(gw.baseUrl()).getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    assertThat(answer).startsWith("HTTP/1.1 400");
    assertThat(TestDatabases.query(gw.dbUrl(),
        "SELECT count(*) FROM webhook_delivery WHERE delivery_key = 'evt-hdr-1'")).containsExactly("0");
  }

  @Test
  @DisplayName("the bearer-authenticated CI endpoints refuse a NUL in their body with the same 400")
  void nulInCiStatus() {
    assertRefused(gw.post("/api/v1/webhooks/ci-status", ADMIN, "{\"buildId\":\"job#1\\u0000\",\"status\":\"success\"}"),
        "buildId", "ci-status");
    assertRefused(gw.post("/api/v1/ci-events/build-complete", ADMIN,
        "{\"buildId\":\"7\",\"status\":\"success\",\"artifacts\":[{\"name\":\"a\",\"repository\":\"r\\u0000\"}]}"),
        "artifacts[0].repository", "build-complete");
  }
}
