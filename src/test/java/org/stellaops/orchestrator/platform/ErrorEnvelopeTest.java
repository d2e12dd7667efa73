package org.stellaops.orchestrator.platform;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.support.LogCapture;
import org.stellaops.orchestrator.support.RawHttp;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;

/**
 * Every refusal keeps the error envelope with a request id, and no caller can flood the logs:
 * hostile requests are one WARN line each, without a stack trace.
 */
class ErrorEnvelopeTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();

  @Test
  @DisplayName("414, 431, a control character in a header and a garbled request line are answered in the envelope with a request id, logged as one WARN line each")
  void undecodableRequests() {
    try (LogCapture logs = new LogCapture()) {
      RawHttp.Answer longLine = raw("GET /api/v1/" + "a".repeat(5000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      RawHttp.Answer bigHeaders = raw("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "b".repeat(9000)
          + "\r\n\r\n");
      RawHttp.Answer controlChar = raw("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Evil: a\u0001b\r\n\r\n");
      RawHttp.Answer garbled = raw("NOT HTTP AT ALL\r\n\r\n");

      assertEnvelope(longLine, 414, "URI_TOO_LONG");
      assertEnvelope(bigHeaders, 431, "HEADERS_TOO_LARGE");
      assertEnvelope(controlChar, 400, "MALFORMED_REQUEST");
      assertEnvelope(garbled, 400, "MALFORMED_REQUEST");
      assertQuiet(logs.events());
      assertThat(logs.events().stream().filter(e -> e.getLoggerName().endsWith("InvalidRequests")
          && e.getLevel() == Level.WARN)).hasSize(4);
    }
  }

  @Test
  @DisplayName("a bad percent-escape in the path or query is 400 MALFORMED_URL in the envelope, one WARN line without a stack; a NUL is 400 naming its parameter")
  void malformedUrls() {
    try (LogCapture logs = new LogCapture()) {
      RawHttp.Answer path = raw("GET /api/v1/components/%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
      RawHttp.Answer unrouted = raw("GET /%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
      RawHttp.Answer query = raw("GET /api/v1/releases?name=%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer "
          + ADMIN + "\r\n\r\n");
      RawHttp.Answer nul = raw("GET /api/v1/components/" + UUID.randomUUID() + "/versions/a%00b/history HTTP/1.1\r\n"
          + "Host: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer " + ADMIN + "\r\n\r\n");

      for (RawHttp.Answer answer : List.of(path, unrouted, query)) {
        assertEnvelope(answer, 400, "MALFORMED_URL");
      }
      // A NUL is refused a step earlier, naming the path parameter it is in.
      assertEnvelope(nul, 400, "VALIDATION_FAILED");
      assertThat(nul.json().getJsonObject("error").getJsonArray("validationErrors").getJsonObject(0)
          .getString("field")).isEqualTo("tag");
      assertQuiet(logs.events());
      assertThat(logs.events().stream().filter(e -> e.getLoggerName().endsWith("MalformedUrls")
          && e.getLevel() == Level.WARN)).hasSize(3);
    }
  }

  @Test
  @DisplayName("an unreachable CI system is 502 CI_UNAVAILABLE, logged as one WARN line, not an ERROR with a stack")
  void unreachableCiIsOneWarning() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    String integration = gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "ci.gitlab")
        .put("name", "unreachable-gitlab").put("config", new JsonObject().put("endpoint", "http://127.0.0.1:" + closedPort))
        .put("credentials", new JsonObject().put("token", "glpat-unreachable"))).data().getString("id");

    try (LogCapture logs = new LogCapture()) {
      Resp r = gw.post("/api/v1/pipeline-runs", ADMIN, new JsonObject().put("integrationId", integration)
          .put("pipelineId", "grp/app").put("ref", "main"));

      assertThat(r.status()).as(r.body()).isEqualTo(502);
      assertThat(r.error().getString("code")).isEqualTo("CI_UNAVAILABLE");
      assertThat(r.json().getJsonObject("meta").getString("requestId")).isEqualTo(r.header("X-Request-Id"));
      assertQuiet(logs.events());
      assertThat(logs.events().stream().filter(e -> e.getLevel() == Level.WARN
          && e.getFormattedMessage().contains("CI_UNAVAILABLE"))).hasSize(1);
    }
  }

  @Test
  @DisplayName("a crafted cursor, a cursor of another list, or one PostgreSQL could not compare is 400 INVALID_CURSOR")
  void cursorsAreChecked() {
    String component = gw.createComponent("cursor-a", "registry.example.com/cursor/a").getString("id");
    gw.createComponent("cursor-b", "registry.example.com/cursor/b");
    for (String name : List.of("cursor-r1", "cursor-r2")) {
      assertThat(gw.post("/api/v1/releases", ADMIN, new JsonObject().put("name", name).put("components", new JsonArray()
          .add(new JsonObject().put("componentId", component).put("digest", "sha256:" + "d".repeat(64))))).status())
          .isEqualTo(201);
    }
    String releasesCursor = nextCursor(gw.get("/api/v1/releases?limit=1", ADMIN));
    String componentsCursor = nextCursor(gw.get("/api/v1/components?limit=1", ADMIN));
    assertThat(gw.get("/api/v1/releases?limit=1&cursor=" + releasesCursor, ADMIN).status()).isEqualTo(200);
    assertThat(gw.get("/api/v1/components?limit=1&cursor=" + componentsCursor, ADMIN).status()).isEqualTo(200);

    List<String> refused = List.of(
        "/api/v1/components?cursor=" + releasesCursor,
        "/api/v1/releases?cursor=" + componentsCursor,
        "/api/v1/releases?cursor=not-a-cursor",
        "/api/v1/releases?cursor=" + b64("releases|+100000-01-01T00:00:00Z|" + UUID.randomUUID()),
        "/api/v1/components/" + component + "/versions?cursor=" + b64("2026-01-01T00:00:00Z|a\u0000b"),
        "/api/v1/components/" + component + "/versions?cursor=" + b64("versions|2026-01-01T00:00:00Z|a\u0000b"),
        "/api/v1/releases?cursor=" + "A".repeat(2000));
    for (String path : refused) {
      Resp r = gw.get(path, ADMIN);
      assertThat(r.status()).as(path + " -> " + r.body()).isEqualTo(400);
      assertThat(r.error().getString("code")).isEqualTo("INVALID_CURSOR");
    }
    assertThat(gw.get("/api/v1/components?cursor=" + releasesCursor, ADMIN).error().getString("message"))
        .contains("another list");
  }

  @Test
  @DisplayName("a body with more than 100 problems lists the first 100 and says how many there were")
  void validationListIsCapped() {
    JsonArray components = new JsonArray();
    IntStream.range(0, 100).forEach(i -> components.add(new JsonObject().put("componentId", i)
        .put("digest", "no-digest")));
    Resp r = gw.post("/api/v1/releases", ADMIN, new JsonObject().put("name", "capped").put("components", components));

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error().getString("code")).isEqualTo("VALIDATION_FAILED");
    assertThat(r.error().getJsonArray("validationErrors")).hasSize(100);
    int count = r.error().getJsonObject("details").getInteger("validationErrorCount");
    assertThat(count).isGreaterThan(100);
    assertThat(r.error().getString("message")).isEqualTo(count + " fields are invalid; the first 100 are listed");
  }

  private static RawHttp.Answer raw(String request) {
    return RawHttp.exchange(gw.app().port(), request, 10_000);
  }

  private static void assertEnvelope(RawHttp.Answer answer, int status, String code) {
    assertThat(answer.status()).as(answer.text()).isEqualTo(status);
    JsonObject body = new JsonObject(answer.body());
    assertThat(body.getBoolean("success")).isFalse();
    assertThat(body.getJsonObject("error").getString("code")).isEqualTo(code);
    String requestId = body.getJsonObject("meta").getString("requestId");
    assertThat(requestId).isNotBlank().isEqualTo(answer.header("X-Request-Id"));
  }

  /** Nothing at ERROR, nothing with a stack trace. */
  private static void assertQuiet(List<ILoggingEvent> events) {
    assertThat(events).noneMatch(e -> e.getLevel() == Level.ERROR);
    assertThat(events).noneMatch(e -> e.getThrowableProxy() != null);
  }

  private static String nextCursor(Resp page) {
    return page.json().getJsonObject("meta").getJsonObject("pagination").getString("nextCursor");
  }

  private static String b64(String raw) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }
}
