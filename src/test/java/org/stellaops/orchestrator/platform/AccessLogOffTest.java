package org.stellaops.orchestrator.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.support.LogCapture;
import org.stellaops.orchestrator.support.TestGateway;

/** {@code http.accessLog: false}, for very busy registries: no access line, the request id kept. */
class AccessLogOffTest {

  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass(c -> c.withHttpAccessLog(false));

  @Test
  @DisplayName("with the access log off a request writes no access line and still gets its request id")
  void switchedOff() {
    try (LogCapture logs = new LogCapture()) {
      TestGateway.Resp unlogged = AccessLogTest.live(gw, "quiet-1");
      assertThat(unlogged.status()).isEqualTo(200);
      assertThat(unlogged.headers().get(RequestIds.HEADER)).containsExactly("quiet-1");
      // A second request on the same keep-alive connection is read by the event loop that ended
      // the first response, after it ran that response's end handlers: its answer means the first
      // one's access line, if any, has been written.
      assertThat(AccessLogTest.live(gw, "quiet-2").status()).isEqualTo(200);
      assertThat(logs.events().stream().filter(e -> AccessLogTest.accessLineOf(e, "quiet-1"))).isEmpty();
    }
  }
}
