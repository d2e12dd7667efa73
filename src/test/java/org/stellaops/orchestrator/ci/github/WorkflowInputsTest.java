package org.stellaops.orchestrator.ci.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Reading {@code on.workflow_dispatch.inputs} from workflow files written the ways GitHub accepts
 * (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#on).
 */
class WorkflowInputsTest {

  @Test
  @DisplayName("an unquoted on: key, which YAML 1.1 reads as true, still gives the declared inputs")
  void onAsBooleanKey() {
    WorkflowInputs inputs = WorkflowInputs.parse("""
        name: Release
        on:
          push:
            branches: [main]
          workflow_dispatch:
            inputs:
              environment:
                type: choice
                options: [staging, prod]
              STELLA_RELEASE_ID:
                type: string
        jobs: {}
        """);

    assertThat(inputs).isEqualTo(new WorkflowInputs(true, Set.of("environment", "STELLA_RELEASE_ID")));
  }

  @Test
  @DisplayName("a quoted \"on\" key, on: workflow_dispatch and on: [push, workflow_dispatch] are dispatchable without inputs")
  void otherSpellings() {
    assertThat(WorkflowInputs.parse("\"on\":\n  workflow_dispatch:\n")).isEqualTo(new WorkflowInputs(true, Set.of()));
    assertThat(WorkflowInputs.parse("on: workflow_dispatch\n")).isEqualTo(new WorkflowInputs(true, Set.of()));
    assertThat(WorkflowInputs.parse("on: [push, workflow_dispatch]\n")).isEqualTo(new WorkflowInputs(true, Set.of()));
  }

  @Test
  @DisplayName("a workflow without workflow_dispatch is not dispatchable")
  void notDispatchable() {
    assertThat(WorkflowInputs.parse("on:\n  push:\n").dispatchable()).isFalse();
    assertThat(WorkflowInputs.parse("on: [push]\n").dispatchable()).isFalse();
    assertThat(WorkflowInputs.parse("just text").dispatchable()).isFalse();
  }

  @Test
  @DisplayName("a file that is not YAML, or builds Java objects, is refused with a reason")
  void invalid() {
    assertThatThrownBy(() -> WorkflowInputs.parse("on: [unclosed\n")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not valid YAML");
    assertThatThrownBy(() -> WorkflowInputs.parse("on: !!java.net.URL [\"http://127.0.0.1/\"]\n"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
