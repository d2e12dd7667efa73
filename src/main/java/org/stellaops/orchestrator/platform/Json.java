package org.stellaops.orchestrator.platform;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Small conversions shared by the JSON views of records. */
public final class Json {

  private Json() {}

  /** ISO-8601 in UTC ("2027-01-09T00:00:00Z"), or null. */
  public static String time(OffsetDateTime time) {
    return time == null ? null : DateTimeFormatter.ISO_INSTANT.format(time.withOffsetSameInstant(ZoneOffset.UTC));
  }
}
