package org.stellaops.orchestrator.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.stellaops.orchestrator.ci.PipelineRun;
import org.stellaops.orchestrator.ci.PollResult;
import org.stellaops.orchestrator.webhook.Retry;

class SchedulerPrimitivesTest {

  @ParameterizedTest(name = "{0} errors at interval {1}s -> {2}s")
  @CsvSource({"1,10,10", "2,10,20", "3,10,40", "5,10,160", "6,10,300", "40,10,300", "0,10,10", "1,1,1", "4,1,8",
      "1,600,600"})
  @DisplayName("poll backoff starts at one interval, doubles per consecutive error, caps at five minutes")
  void backoff(int errors, int interval, int expected) {
    assertThat(Backoff.afterErrors(errors, interval)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "attempt {0} -> {1}s")
  @CsvSource({"0,2", "1,2", "2,4", "3,8", "8,256", "9,300", "50,300"})
  @DisplayName("webhook processing retries double from two seconds up to five minutes")
  void deliveryRetry(int attempt, int expected) {
    assertThat(Retry.delaySeconds(attempt)).isEqualTo(expected);
  }

  @Test
  @DisplayName("webhook processing gives up after eight attempts")
  void giveUp() {
    assertThat(Retry.giveUp(7)).isFalse();
    assertThat(Retry.giveUp(8)).isTrue();
  }

  private static PipelineRun run(String status, String vendorStatus, String runId, String etag) {
    OffsetDateTime now = OffsetDateTime.now();
    return new PipelineRun(UUID.randomUUID(), UUID.randomUUID(), "ci.gitlab", "grp/app", "main", new JsonObject(),
        runId, "c", "http://x/1", status, vendorStatus, true, "triggered", 10, now, now, 1, 0, null, etag, now, null,
        null);
  }

  @Test
  @DisplayName("a poll that sees the same state is not a change, so it writes nothing")
  void unchangedPollWritesNothing() {
    PipelineRun current = run("running", "running", "7", "\"e1\"");
    assertThat(Poller.changed(current, PollResult.of("7", "running", "running", "http://x/1", "\"e1\""))).isFalse();
    assertThat(Poller.changed(current, PollResult.of(null, "running", "running", null, null))).isFalse();
    assertThat(Poller.changed(current, PollResult.of("7", "running", "canceling", "http://x/1", "\"e1\""))).isTrue();
    assertThat(Poller.changed(current, PollResult.of("8", "running", "running", "http://x/1", "\"e1\""))).isTrue();
    assertThat(Poller.changed(current, PollResult.of("7", "pending", "running", "http://x/1", "\"e1\""))).isTrue();
    assertThat(Poller.changed(current, PollResult.of("7", "running", "running", "http://x/1", "\"e2\""))).isTrue();
  }

  @Test
  @DisplayName("an integration's maxConcurrentPolls overrides the scheduler default; missing or invalid falls back")
  void concurrencyCap() {
    assertThat(Poller.concurrencyCap(new io.vertx.core.json.JsonObject().put("maxConcurrentPolls", 4), 32)).isEqualTo(4);
    assertThat(Poller.concurrencyCap(new io.vertx.core.json.JsonObject(), 32)).isEqualTo(32);
    assertThat(Poller.concurrencyCap(new io.vertx.core.json.JsonObject().put("maxConcurrentPolls", 0), 32)).isEqualTo(32);
    assertThat(Poller.concurrencyCap(new io.vertx.core.json.JsonObject().put("maxConcurrentPolls", "8"), 32)).isEqualTo(32);
  }
}
