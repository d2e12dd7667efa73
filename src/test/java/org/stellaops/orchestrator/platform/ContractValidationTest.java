package org.stellaops.orchestrator.platform;

import static io.vertx.core.http.HttpMethod.GET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.support.LogCapture;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;

/**
 * Requests on the bearer routes are checked against openapi.yaml itself, so the served
 * description and what the gateway accepts are one text.
 */
class ContractValidationTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  private static final String SOME_UUID = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();

  @Test
  @DisplayName("a ci-status body whose fields have the wrong types is a 400 naming each field, and nothing is stored")
  void ciStatusTypes() {
    int stored = gw.get("/api/v1/webhook-deliveries", ADMIN).json().getJsonArray("data").size();
    Resp r = gw.post("/api/v1/webhooks/ci-status", ADMIN, new JsonObject()
        .put("buildId", new JsonObject()).put("status", 7).put("commit", new JsonArray()).put("url", false));

    assertThat(fields(r)).containsOnly(entry("buildId", "INVALID_TYPE"), entry("status", "INVALID_TYPE"),
        entry("commit", "INVALID_TYPE"), entry("url", "INVALID_TYPE"));
    assertThat(gw.get("/api/v1/webhook-deliveries", ADMIN).json().getJsonArray("data")).hasSize(stored);
  }

  @Test
  @DisplayName("a build-complete body with wrong types, down to an artifact's digest and a test count, is a 400 naming each")
  void buildCompleteTypes() {
    Resp r = gw.post("/api/v1/ci-events/build-complete", ADMIN, new JsonObject()
        .put("buildId", "12").put("status", "success").put("integrationId", "not-a-uuid")
        .put("artifacts", new JsonArray().add(new JsonObject().put("name", "app").put("digest", "sha256:nope")))
        .put("testResults", new JsonObject().put("passed", "many").put("failed", -1)));

    assertThat(fields(r)).containsOnly(entry("integrationId", "INVALID_FORMAT"),
        entry("artifacts[0].digest", "INVALID_FORMAT"), entry("testResults.passed", "INVALID_TYPE"),
        entry("testResults.failed", "OUT_OF_RANGE"));
    Resp notArray = gw.post("/api/v1/ci-events/build-complete", ADMIN, new JsonObject()
        .put("buildId", 12).put("status", "success").put("artifacts", "app"));
    assertThat(fields(notArray)).containsOnly(entry("artifacts", "INVALID_TYPE"));
  }

  @Test
  @DisplayName("JSON with comments is malformed JSON (400), on every route that reads a JSON body")
  void commentsAreMalformed() {
    String[] bodies = {
        "{\"buildId\": \"1\", /* a comment */ \"status\": \"success\"}",
        "{\"buildId\": \"1\", \"status\": \"success\" // a comment\n}",
        "# a comment\n{\"buildId\": \"1\", \"status\": \"success\"}"};
    for (String body : bodies) {
      Resp r = gw.post("/api/v1/webhooks/ci-status", ADMIN, body);
      assertThat(r.status()).as(body).isEqualTo(400);
      assertThat(r.error().getString("code")).isEqualTo("MALFORMED_JSON");
    }
    Resp release = gw.post("/api/v1/components", ADMIN,
        "{\"name\": \"c\", /* */ \"imageRepository\": \"registry.example.com/a/b\"}");
    assertThat(release.status()).isEqualTo(400);
    assertThat(release.error().getString("code")).isEqualTo("MALFORMED_JSON");
  }

  @Test
  @DisplayName("a watched runId is at most 200 characters, a number's digits counted as characters")
  void runIdLength() {
    JsonObject watch = new JsonObject().put("integrationId", SOME_UUID).put("pipelineId", "grp/app");

    Resp digits = gw.post("/api/v1/pipeline-runs/watch", ADMIN,
        watch.copy().encode().replace("}", ",\"runId\":" + "9".repeat(400) + "}"));
    Resp text = gw.post("/api/v1/pipeline-runs/watch", ADMIN, watch.copy().put("runId", "9".repeat(201)));

    assertThat(fields(digits)).containsOnly(entry("runId", "TOO_LONG"));
    assertThat(fields(text)).containsOnly(entry("runId", "TOO_LONG"));
  }

  @Test
  @DisplayName("nested body fields and query parameters are named in the envelope's style, every one of them")
  void fieldNames() {
    Resp body = gw.post("/api/v1/releases", ADMIN, new JsonObject().put("name", 5)
        .put("components", new JsonArray().add(new JsonObject().put("componentId", SOME_UUID).put("digest", "x"))));
    Resp query = gw.get("/api/v1/releases?limit=500", ADMIN);
    Resp word = gw.get("/api/v1/releases?limit=many", ADMIN);

    assertThat(fields(body)).containsOnly(entry("name", "INVALID_TYPE"), entry("components[0].digest", "INVALID_FORMAT"));
    assertThat(fields(query)).containsOnly(entry("limit", "OUT_OF_RANGE"));
    assertThat(fields(word)).containsKey("limit");
    assertThat(fields(gw.get("/api/v1/pipeline-runs?status=bogus&integrationId=nope", ADMIN)))
        .containsOnly(entry("status", "INVALID_VALUE"), entry("integrationId", "INVALID_FORMAT"));
    String component = gw.createComponent("numeric-tags", "registry.example.com/numeric/tags").getString("id");
    assertThat(gw.get("/api/v1/components/" + component + "/versions?tag=1.1", ADMIN).status())
        .as("a string parameter that looks like a number is still a string").isEqualTo(200);
  }

  @Test
  @DisplayName("a caller without a valid token gets 401 before its body is checked against the description")
  void authenticationFirst() {
    Resp r = gw.post("/api/v1/webhooks/ci-status", "not-a-token", new JsonObject().put("buildId", new JsonObject()));

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.error().getString("code")).isEqualTo("UNAUTHORIZED");
  }

  @Test
  @DisplayName("refusals by the description are one 400 each, never an ERROR log line")
  void quiet() {
    try (LogCapture logs = new LogCapture()) {
      gw.post("/api/v1/webhooks/ci-status", ADMIN, new JsonObject().put("buildId", 1.5e300).put("status", List.of()));
      gw.get("/api/v1/components?limit=-1&cursor=%7B", ADMIN);
      assertThat(logs.events()).noneMatch(e -> e.getLevel() == Level.ERROR);
    }
  }

  @Test
  @DisplayName("a bearer route without an operation in the description stops start-up, so the two cannot drift")
  void everyRouteIsDescribed() {
    Vertx vertx = Vertx.vertx();
    try {
      ContractValidation contract = ContractValidation.load(vertx, new OpenApi().document()).await();
      assertThat(contract.forRoute(GET, "/api/v1/releases/by-name/*")).isNotNull();
      assertThatThrownBy(() -> contract.forRoute(GET, "/api/v1/releases/:id/undocumented"))
          .hasMessageContaining("openapi.yaml has no operation GET /api/v1/releases/{id}/undocumented");
    } finally {
      vertx.close().await();
    }
  }

  private static Map.Entry<String, String> entry(String field, String code) {
    return Map.entry(field, code);
  }

  /** The 400's validation errors as field → code (one per field). */
  private static Map<String, String> fields(Resp r) {
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.error().getString("code")).as(r.body()).isEqualTo("VALIDATION_FAILED");
    return r.error().getJsonArray("validationErrors").stream().map(JsonObject.class::cast)
        .collect(Collectors.toMap(e -> e.getString("field"), e -> e.getString("code")));
  }
}
