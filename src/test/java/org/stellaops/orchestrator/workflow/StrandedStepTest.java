package org.stellaops.orchestrator.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** When a step marked running can no longer be running on any live replica. */
class StrandedStepTest {

  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

  private static JsonObject step(String type, Integer timeout, String startedAt) {
    JsonObject config = new JsonObject();
    if (timeout != null) {
      config.put("timeout", timeout);
    }
    return new JsonObject().put("id", "s").put("type", type).put("status", "running").put("config", config)
        .put("startedAt", startedAt);
  }

  @Test
  @DisplayName("a step is stranded only after its own request timeout plus a minute")
  void boundIsTheStepsTimeoutPlusMargin() {
    // http: its config.timeout (30 s) + 60 s
    assertThat(PromotionEngine.stranded(step("http", 30, "2026-11-27T11:58:31Z"), NOW)).isFalse();
    assertThat(PromotionEngine.stranded(step("http", 30, "2026-11-27T11:58:29Z"), NOW)).isTrue();
    // deploy: default 600 s + 60 s
    assertThat(PromotionEngine.stranded(step("deploy", null, "2026-11-27T11:49:01Z"), NOW)).isFalse();
    assertThat(PromotionEngine.stranded(step("deploy", null, "2026-11-27T11:48:59Z"), NOW)).isTrue();
    // http default 60 s; CI steps 600 s
    assertThat(PromotionEngine.stranded(step("http", null, "2026-11-27T11:58:01Z"), NOW)).isFalse();
    assertThat(PromotionEngine.stranded(step("trigger-ci", null, "2026-11-27T11:50:00Z"), NOW)).isFalse();
    assertThat(PromotionEngine.stranded(step("trigger-ci", null, "2026-11-27T11:48:00Z"), NOW)).isTrue();
  }

  @Test
  @DisplayName("a running step without a readable start time is taken as stranded")
  void unreadableStart() {
    assertThat(PromotionEngine.stranded(step("deploy", null, null), NOW)).isTrue();
    assertThat(PromotionEngine.stranded(step("deploy", null, "yesterday"), NOW)).isTrue();
  }
}
