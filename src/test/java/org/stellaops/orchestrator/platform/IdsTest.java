package org.stellaops.orchestrator.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.pgclient.PgException;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
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

  @Test
  @DisplayName("a text is read as a UUID only when it is one; anything else, or nothing, is null")
  void uuidOrNull() {
    UUID id = UUID.randomUUID();
    assertThat(Ids.uuidOrNull(id.toString())).isEqualTo(id);
    assertThat(Ids.uuidOrNull("not-a-uuid")).isNull();
    assertThat(Ids.uuidOrNull("")).isNull();
    assertThat(Ids.uuidOrNull(null)).isNull();
  }

  @Test
  @DisplayName("a path id that is not a UUID is a 404 naming what was looked for")
  void uuidOr404() {
    UUID id = UUID.randomUUID();
    assertThat(Ids.uuidOr404(id.toString(), "promotion")).isEqualTo(id);
    assertThatThrownBy(() -> Ids.uuidOr404("nope", "promotion"))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404))
        .hasMessage("promotion nope not found");
  }

  @Test
  @DisplayName("a unique violation is SQLSTATE 23505, and on a named constraint only when the name matches")
  void uniqueViolation() {
    PgException onName = pg("23505", "release_name_key");
    assertThat(Ids.uniqueViolation(onName)).isTrue();
    assertThat(Ids.uniqueViolation(onName, "release_name")).isTrue();
    assertThat(Ids.uniqueViolation(onName, "image_repository")).isFalse();
    assertThat(Ids.uniqueViolation(pg("23503", "release_name_key"), "release_name")).isFalse();
    assertThat(Ids.uniqueViolation(new IllegalStateException("23505"), "release_name")).isFalse();
  }

  private static PgException pg(String sqlState, String constraint) {
    return new PgException("duplicate key value", "ERROR", sqlState, null, null, null, null, null, null, null, null,
        null, null, null, null, null, constraint);
  }
}
