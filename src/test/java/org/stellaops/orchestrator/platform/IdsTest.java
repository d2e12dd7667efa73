package org.stellaops.orchestrator.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdsTest {

  @Test
  void timeOrderedIdsAreVersion7WithTheRfcVariantAndTheTimeInFront() {
    UUID id = Ids.timeOrdered(0x0123_4567_89ABL, -1L, -1L);

    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2); // RFC 9562 variant bits 10
    assertThat(id.toString()).startsWith("01234567-89ab-7fff-bfff-");
    assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(0x0123_4567_89ABL);
  }

  @Test
  void timeOrderedIdsSortByTheirMillisecondWhateverTheirRandomBits() {
    UUID earlier = Ids.timeOrdered(1_700_000_000_000L, -1L, -1L);
    UUID later = Ids.timeOrdered(1_700_000_000_001L, 0L, 0L);

    // PostgreSQL compares uuids as unsigned bytes, which is the order of their text form.
    assertThat(earlier.toString()).isLessThan(later.toString());
  }

  @Test
  void freshTimeOrderedIdsAreDistinctAndCarryTheCurrentTime() {
    long before = System.currentTimeMillis();
    UUID a = Ids.timeOrdered();
    UUID b = Ids.timeOrdered();
    long after = System.currentTimeMillis();

    assertThat(a).isNotEqualTo(b);
    assertThat(a.getMostSignificantBits() >>> 16).isBetween(before, after);
    assertThat(a.version()).isEqualTo(7);
  }
}
