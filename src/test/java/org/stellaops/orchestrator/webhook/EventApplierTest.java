package org.stellaops.orchestrator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The pure decisions of the CI branch of {@link EventApplier}. */
class EventApplierTest {

  @Test
  @DisplayName("Jenkins-style build ids (job#number) name the build number, for Jenkins and for the ci-status bodies")
  void vendorRunIds() {
    assertThat(EventApplier.vendorRunId("ci.jenkins", "build-image#18")).isEqualTo("18");
    assertThat(EventApplier.vendorRunId(WebhookIngest.CI_API, "folder/job#7")).isEqualTo("7");
    assertThat(EventApplier.vendorRunId(WebhookIngest.CI_API, "4711")).isEqualTo("4711");
    assertThat(EventApplier.vendorRunId("ci.gitlab", "31")).isEqualTo("31");
  }

  @Test
  @DisplayName("a delivery's stored reason names the runs it had polled, or says none waits")
  void pollNotes() {
    UUID a = UUID.fromString("0190a1b2-0000-7000-8000-000000000001");
    UUID b = UUID.fromString("0190a1b2-0000-7000-8000-000000000002");
    assertThat(EventApplier.pollNote(List.of())).isEqualTo("no pipeline run waits for it");
    assertThat(EventApplier.pollNote(List.of(a))).isEqualTo("poll requested for pipeline run " + a);
    assertThat(EventApplier.pollNote(List.of(a, b))).isEqualTo("poll requested for pipeline runs " + a + ", " + b);
  }
}
