package org.stellaops.orchestrator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.webhook.InboxLog.Entry;
import org.stellaops.orchestrator.webhook.InboxLog.Position;

/** The inbox log's small decisions: which delivery is next, which outcome is written, which partition. */
class InboxLogRulesTest {

  private static final Position P10 = new Position(100, 10);
  private static final Position P20 = new Position(100, 20);
  private static final Position P30 = new Position(101, 5);

  private static Entry entry(Position after, Position at) {
    return new Entry(null, 3, at, after);
  }

  @Test
  @DisplayName("a log entry worked alone is next only while the position is between the entry before it and itself")
  void stillNext() {
    Entry e = entry(P10, P30);
    assertThat(InboxLog.stillNext(P10, e)).as("right after the entry before it").isTrue();
    assertThat(InboxLog.stillNext(P20, e)).as("past rows that were not the log's to work").isTrue();
    assertThat(InboxLog.stillNext(new Position(100, 9), e)).as("the entry before it was not applied").isFalse();
    assertThat(InboxLog.stillNext(P30, e)).as("already applied by another batch").isFalse();
    assertThat(InboxLog.stillNext(new Position(102, 0), e)).isFalse();
  }

  @Test
  @DisplayName("positions order by transaction first, then by seq")
  void positionsOrderByTransaction() {
    assertThat(new Position(101, 1)).isGreaterThan(new Position(100, 999));
    assertThat(new Position(100, 2)).isGreaterThan(new Position(100, 1));
  }

  @Test
  @DisplayName("only an applied image push or delete from the log goes unwritten; CI events, ignored, failed and retried deliveries are written")
  void needsRecord() {
    UUID id = UUID.randomUUID();
    List<WebhookEvent> push = List.of(new WebhookEvent.ImagePushed("a/b", "v1", "sha256:" + "a".repeat(64), null));
    List<WebhookEvent> build = List.of(new WebhookEvent.Ignored("x"));
    DeliveryRepository.Outcome processed = DeliveryRepository.Outcome.done(id, Delivery.PROCESSED, "a:v1 -> d");
    assertThat(InboxBatch.needsRecord(processed, true, push)).isFalse();
    assertThat(InboxBatch.needsRecord(processed, true,
        List.of(new WebhookEvent.ImageDeleted("a/b", "v1", null)))).isFalse();
    assertThat(InboxBatch.needsRecord(processed, false, push)).as("a retry's row says it waits").isTrue();
    assertThat(InboxBatch.needsRecord(processed, true, build)).as("anything but image events keeps its note").isTrue();
    assertThat(InboxBatch.needsRecord(DeliveryRepository.Outcome.done(id, Delivery.IGNORED, "why"), true, push))
        .isTrue();
    assertThat(InboxBatch.needsRecord(new DeliveryRepository.Outcome(id, Delivery.RECEIVED, null, "boom", true, 5),
        true, push)).isTrue();
  }

  @Test
  @DisplayName("one integration's deliveries share one partition; a sender without an integration is keyed by its source")
  void partitions() {
    UUID integration = UUID.randomUUID();
    assertThat(InboxLog.partitionOf(integration, "x")).isEqualTo(InboxLog.partitionOf(integration, "y"))
        .isBetween(0, InboxLog.PARTITIONS - 1);
    assertThat(InboxLog.partitionOf(null, "api:someone")).isEqualTo(InboxLog.partitionOf(null, "api:someone"));
    long used = java.util.stream.IntStream.range(0, 200)
        .map(i -> InboxLog.partitionOf(UUID.randomUUID(), "")).distinct().count();
    assertThat(used).as("integrations spread over the partitions").isEqualTo(InboxLog.PARTITIONS);
  }

  @Test
  @DisplayName("the processor runs again at once after a full batch, soon after a partial one or a wake-up, and otherwise waits")
  void whenTheNextBatchRuns() {
    assertThat(InboxProcessor.next(true, true, false)).isEqualTo(InboxProcessor.Next.NOW);
    assertThat(InboxProcessor.next(false, true, false)).isEqualTo(InboxProcessor.Next.SOON);
    assertThat(InboxProcessor.next(false, false, true)).isEqualTo(InboxProcessor.Next.SOON);
    assertThat(InboxProcessor.next(false, false, false)).isEqualTo(InboxProcessor.Next.IDLE);
  }

  @Test
  @DisplayName("a replay is refused without a body, not found when the row went meanwhile, and replayed otherwise")
  void replayOutcome() {
    assertThat(DeliveryRepository.replayOutcome(false, true, false)).isEqualTo(DeliveryRepository.Replay.BODY_REMOVED);
    assertThat(DeliveryRepository.replayOutcome(true, true, true)).isEqualTo(DeliveryRepository.Replay.REPLAYED);
    assertThat(DeliveryRepository.replayOutcome(true, true, false)).as("deleted by retention in between")
        .isEqualTo(DeliveryRepository.Replay.NOT_FOUND);
    assertThat(DeliveryRepository.replayOutcome(true, false, false)).as("still waiting in the log")
        .isEqualTo(DeliveryRepository.Replay.REPLAYED);
  }
}
