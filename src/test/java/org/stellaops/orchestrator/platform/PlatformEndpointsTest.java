package org.stellaops.orchestrator.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.support.TestDatabases;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;
import org.yaml.snakeyaml.Yaml;

/** Health probes, Prometheus metrics, request ids, the OpenAPI document and unknown routes. */
class PlatformEndpointsTest {

  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();

  @Test
  @DisplayName("liveness and readiness answer UP without a token")
  void health() {
    Resp live = gw.get("/health/live", null);
    Resp ready = gw.get("/health/ready", null);
    assertThat(live.status()).isEqualTo(200);
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json().getJsonObject("checks").getString("database")).isEqualTo("UP");
    assertThat(ready.json().getJsonObject("checks").getString("migrations")).isEqualTo("UP");
  }

  @Test
  @DisplayName("readiness says which check failed, never the database's error text")
  void readinessHidesErrorText() throws Exception {
    try (TestGateway own = TestGateway.start()) {
      String db = own.dbUrl().substring(own.dbUrl().lastIndexOf('/') + 1);
      TestDatabases.execute(own.dbUrl().replace("/" + db, "/postgres"), "ALTER DATABASE " + db + " ALLOW_CONNECTIONS false");
      TestDatabases.execute(own.dbUrl().replace("/" + db, "/postgres"),
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db + "'");
      try {
        Resp ready = own.get("/health/ready", null);
        assertThat(ready.status()).isEqualTo(503);
        assertThat(ready.json().getString("status")).isEqualTo("DOWN");
        assertThat(ready.json().getJsonObject("checks").getString("database")).isEqualTo("DOWN");
        assertThat(ready.body()).doesNotContain(db).doesNotContain("connection").doesNotContain("terminat");
      } finally {
        TestDatabases.execute(own.dbUrl().replace("/" + db, "/postgres"), "ALTER DATABASE " + db + " ALLOW_CONNECTIONS true");
      }
    }
  }

  @Test
  @DisplayName("/metrics serves Prometheus text with stella_releases_total, HTTP metrics by route and status, JVM and pool metrics")
  void metrics() {
    String component = gw.createComponent("metered", "registry.example.com/metered/app").getString("id");
    Resp created = gw.post("/api/v1/releases", TestGateway.ADMIN_TOKEN, new JsonObject().put("name", "metered-1")
        .put("components", new JsonArray().add(new JsonObject().put("componentId", component)
            .put("digest", "sha256:" + "c".repeat(64)))));
    assertThat(created.status()).isEqualTo(201);

    Resp r = gw.get("/metrics", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type")).startsWith("text/plain");
    List<String> lines = r.body().lines().toList();
    assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("stella_releases_total").endsWith(" 1.0"));
    assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("vertx_http_server_requests_total")
        .contains("route=\"/api/v1/releases\"").contains("code=\"201\"").contains("method=\"POST\""));
    assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("jvm_memory_used_bytes"));
    assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("vertx_pool_"));
  }

  @Test
  @DisplayName("every response carries X-Request-Id: a sane caller id is echoed, otherwise one is generated")
  void requestIds() {
    Resp echoed = gw.send(gw.request("/health/live", null).header("X-Request-Id", "ci-job-42.attempt-1").GET().build());
    assertThat(echoed.header("X-Request-Id")).isEqualTo("ci-job-42.attempt-1");
    Resp generated = gw.send(gw.request("/health/live", null).header("X-Request-Id", "bad id with spaces").GET().build());
    assertThat(generated.header("X-Request-Id")).matches("[0-9a-f-]{36}");
    Resp error = gw.get("/api/v1/releases", null);
    assertThat(error.json().getJsonObject("meta").getString("requestId")).isEqualTo(error.header("X-Request-Id"));
  }

  @Test
  @DisplayName("an unknown route is a 404 in the error envelope")
  void unknownRoute() {
    Resp r = gw.get("/api/v1/nothing-here", TestGateway.ADMIN_TOKEN);
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().getBoolean("success")).isFalse();
    assertThat(r.error().getString("code")).isEqualTo("NOT_FOUND");
  }

  @Test
  @DisplayName("the OpenAPI 3.1 document describes exactly the routes the gateway serves")
  @SuppressWarnings("unchecked")
  void openApiMatchesRoutes() {
    Resp r = gw.get("/api/v1/openapi.yaml", null);
    assertThat(r.status()).isEqualTo(200);
    Map<String, Object> doc = new Yaml().load(r.body());
    assertThat(doc.get("openapi")).isEqualTo("3.1.0");
    List<String> documented = new ArrayList<>();
    ((Map<String, Map<String, Object>>) doc.get("paths")).forEach((path, ops) -> ops.keySet().stream()
        .filter(k -> List.of("get", "post", "put", "patch", "delete").contains(k))
        .forEach(method -> documented.add(method.toUpperCase() + " " + path)));
    List<String> served = gw.app().routes().stream()
        .map(route -> route.replace("/by-name/", "/by-name/{name}").replace("{name}{name}", "{name}"))
        .toList();
    assertThat(documented).containsExactlyInAnyOrderElementsOf(served);
  }
}
