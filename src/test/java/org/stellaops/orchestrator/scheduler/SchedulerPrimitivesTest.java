package org.stellaops.orchestrator.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.ci.PipelineRun;
import org.stellaops.orchestrator.ci.PollResult;

class SchedulerPrimitivesTest {

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
