package org.stellaops.orchestrator.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The step types the engine runs and the ones a saved workflow may name are the same. */
class StepTypeTest {

  @Test
  @DisplayName("every step type has an executor and validator checks, and the validator accepts no other type")
  void typesAgree() {
    assertThat(WorkflowValidator.OUTPUTS.keySet())
        .containsExactlyInAnyOrderElementsOf(Arrays.stream(StepType.values()).map(StepType::wire).toList());
    assertThat(StepType.executors(new StepServices(null, null, null, null, "", null)))
        .containsOnlyKeys(StepType.values());
    for (StepType t : StepType.values()) {
      assertThat(StepType.of(t.wire())).isEqualTo(t);
    }
    assertThat(StepType.of("shell")).isNull();
  }

  @Test
  @DisplayName("a wait key holds its id only for its own kind")
  void waitKeys() {
    assertThat(WaitingOn.RUN.key("42")).isEqualTo("run:42");
    assertThat(WaitingOn.RUN.idIn("run:42")).isEqualTo("42");
    assertThat(WaitingOn.DEPLOY.idIn("run:42")).isNull();
    assertThat(WaitingOn.APPROVAL.idIn(null)).isNull();
  }
}
