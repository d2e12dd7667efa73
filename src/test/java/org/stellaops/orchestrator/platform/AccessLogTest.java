package org.stellaops.orchestrator.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.support.LogCapture;
import org.stellaops.orchestrator.support.TestGateway;

/** {@code http.accessLog} left at its default: one access line per request. */
class AccessLogTest {

  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();

  static TestGateway.Resp live(TestGateway gw, String requestId) {
    return gw.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/health/live?probe=1"))
        .header(RequestIds.HEADER, requestId).GET().build());
  }

  static boolean accessLineOf(ILoggingEvent e, String requestId) {
    return "access".equals(e.getLoggerName()) && e.getFormattedMessage().startsWith(requestId + " ");
  }

  @Test
  @DisplayName("http.accessLog is on unless set; STELLA_HTTP_ACCESS_LOG=false switches it off")
  void setting() {
    assertThat(new ConfigLoader(Map.of(), Optional.empty()).load().http().accessLog()).isTrue();
    assertThat(new ConfigLoader(Map.of("STELLA_HTTP_ACCESS_LOG", "false"), Optional.empty()).load().http()
        .accessLog()).isFalse();
  }

  @Test
  @DisplayName("by default every request writes one access line: request id, method, path without query, status, duration")
  void onByDefault() {
    try (LogCapture logs = new LogCapture()) {
      assertThat(live(gw, "logged-1").status()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(5)).until(() -> logs.events().stream()
          .anyMatch(e -> accessLineOf(e, "logged-1")));
      assertThat(logs.events().stream().filter(e -> accessLineOf(e, "logged-1")).map(ILoggingEvent::getFormattedMessage))
          .singleElement().asString().matches("logged-1 GET /health/live 200 \\d+\\.\\dms");
    }
  }
}
