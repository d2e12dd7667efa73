package org.stellaops.orchestrator.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestIdsTest {

  @Test
  void accessLogDurationIsMillisecondsWithOneDecimalRoundedHalfUp() {
    assertThat(RequestIds.millis(0)).isEqualTo("0.0");
    assertThat(RequestIds.millis(49)).isEqualTo("0.0");
    assertThat(RequestIds.millis(50)).isEqualTo("0.1");
    assertThat(RequestIds.millis(12_345)).isEqualTo("12.3");
    assertThat(RequestIds.millis(12_350)).isEqualTo("12.4");
    assertThat(RequestIds.millis(999_960)).isEqualTo("1000.0");
  }
}
