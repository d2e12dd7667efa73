package org.stellaops.orchestrator.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackoffTest {

  @ParameterizedTest(name = "{0} errors at interval {1}s -> {2}s")
  @CsvSource({"1,10,10", "2,10,20", "3,10,40", "5,10,160", "6,10,300", "40,10,300", "0,10,10", "1,1,1", "4,1,8",
      "1,600,600"})
  @DisplayName("poll backoff starts at one interval, doubles per consecutive error, caps at five minutes")
  void polling(int errors, int interval, int expected) {
    assertThat(Backoff.polling(interval).delaySeconds(errors)).isEqualTo(expected);
  }

  @Test
  @DisplayName("failed polls alone never give a run up")
  void pollingNeverGivesUp() {
    assertThat(Backoff.polling(10).giveUp(1_000_000)).isFalse();
  }

  @ParameterizedTest(name = "attempt {0} -> {1}s")
  @CsvSource({"0,2", "1,2", "2,4", "3,8", "8,256", "9,300", "50,300", "2147483647,300"})
  @DisplayName("deliveries (webhook processing, status reports, subscriber events) are retried after 2, 4, 8 … "
      + "seconds, at most five minutes")
  void deliveryRetry(int attempt, int expected) {
    assertThat(Backoff.DELIVERIES.delaySeconds(attempt)).isEqualTo(expected);
  }

  @Test
  @DisplayName("deliveries are given up after eight attempts")
  void giveUp() {
    assertThat(Backoff.DELIVERIES.giveUp(7)).isFalse();
    assertThat(Backoff.DELIVERIES.giveUp(8)).isTrue();
    assertThat(Backoff.DELIVERIES.giveUp(9)).isTrue();
  }

  @Test
  @DisplayName("a policy of its own keeps its first wait, its cap and its attempt limit")
  void ownPolicy() {
    Backoff policy = new Backoff(5, 60, 3);
    assertThat(policy.delaySeconds(1)).isEqualTo(5);
    assertThat(policy.delaySeconds(3)).isEqualTo(20);
    assertThat(policy.delaySeconds(5)).isEqualTo(60);
    assertThat(policy.giveUp(2)).isFalse();
    assertThat(policy.giveUp(3)).isTrue();
  }
}
