package org.stellaops.orchestrator.ci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.platform.ApiException;
import org.stellaops.orchestrator.platform.ValidationError;

/** The trigger and watch commands, as the routes parse them and as a workflow step builds them. */
class RunCommandsTest {

  static final UUID INTEGRATION = UUID.fromString("0190a0b0-0000-7000-8000-000000000001");

  @Test
  @DisplayName("a watch built from a workflow's config gets the run id checks the route gives it, both problems in one 400")
  void watchChecksRunIdAndPipelineWhoeverBuildsIt() {
    ApiException e = catchThrowableOfType(ApiException.class,
        () -> new WatchRun(INTEGRATION, " ", "9".repeat(201), 60));
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.validationErrors()).extracting(ValidationError::field, ValidationError::code)
        .containsExactly(tuple("pipelineId", "BLANK"),
            tuple("runId", "TOO_LONG"));
    assertThat(new WatchRun(INTEGRATION, " deploy.yml ", " 42 ", 60))
        .isEqualTo(new WatchRun(INTEGRATION, "deploy.yml", "42", 60));
  }

  @Test
  @DisplayName("a numeric run id in a watch body counts its digits against the 200-character limit")
  void numericRunIdLength() {
    JsonObject body = new JsonObject().put("integrationId", INTEGRATION.toString()).put("pipelineId", "p")
        .put("runId", 12345);
    assertThat(WatchRun.parse(body).runId()).isEqualTo("12345");
    assertThat(WatchRun.parse(body).timeoutSeconds()).isEqualTo(PipelineRunService.DEFAULT_TIMEOUT_SECONDS);
  }

  @Test
  @DisplayName("a trigger body reports every bad field at once, and defaults to waiting an hour")
  void triggerParse() {
    ApiException e = catchThrowableOfType(ApiException.class, () -> TriggerRun.parse(new JsonObject()
        .put("pipelineId", "p").put("timeout", 0).put("releaseId", "nope")));
    assertThat(e.validationErrors()).extracting(ValidationError::field)
        .containsExactly("integrationId", "timeout", "releaseId");
    TriggerRun run = TriggerRun.parse(new JsonObject().put("integrationId", INTEGRATION.toString())
        .put("pipelineId", " p ").put("ref", " main ").put("environment", "prod"));
    assertThat(run.target()).isEqualTo(new TriggerRun.Target(INTEGRATION, "p", "main"));
    assertThat(run.waitForCompletion()).isTrue();
    assertThat(run.timeoutSeconds()).isEqualTo(3600);
    assertThat(run.context().variables()).isEqualTo(new JsonObject().put("STELLA_ENVIRONMENT", "prod"));
  }

  @Test
  @DisplayName("a trigger target built from a workflow's config loses surrounding whitespace, as the route trims it")
  void targetTrims() {
    assertThat(new TriggerRun.Target(INTEGRATION, " build.yml\t", " v1.2.3 "))
        .isEqualTo(new TriggerRun.Target(INTEGRATION, "build.yml", "v1.2.3"));
    assertThat(new TriggerRun.Target(INTEGRATION, "p", null).ref()).isNull();
  }
}
