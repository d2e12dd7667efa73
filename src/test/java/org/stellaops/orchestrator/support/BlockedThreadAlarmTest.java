package org.stellaops.orchestrator.support;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The suite's guard against blocking calls on event loops really fires. */
class BlockedThreadAlarmTest {

  @Test
  @DisplayName("a gateway whose event loop was blocked for over five seconds fails when it stops")
  void blockedLoopFailsTheGateway() {
    TestGateway gw = TestGateway.start();
    gw.app().vertx().runOnContext(v -> {
      long end = System.currentTimeMillis() + 6500;
      while (System.currentTimeMillis() < end) {
        Thread.onSpinWait();
      }
    });
    await().atMost(Duration.ofSeconds(20)).until(() -> !BlockedThreadAlarm.warnings().isEmpty());
    assertThatThrownBy(gw::close).isInstanceOf(AssertionError.class).hasMessageContaining("blocked");
  }
}
