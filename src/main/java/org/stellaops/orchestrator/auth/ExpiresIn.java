package org.stellaops.orchestrator.auth;

import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses a service account's {@code expiresIn}: {@code 365d}, also
 * {@code 12h}, {@code 30m}, {@code 45s}, {@code 2w}, or ISO-8601 ({@code PT12H}, {@code P1Y}).
 * Pure: the caller supplies "now".
 */
public final class ExpiresIn {

  private static final Pattern SHORT = Pattern.compile("(\\d{1,6})([smhdw])");
  static final Duration MAX = Duration.ofDays(3660);

  private ExpiresIn() {}

  /** The expiry instant, or empty when the text is not a positive duration of at most ten years. */
  public static Optional<Instant> expiresAt(String text, Instant now) {
    String value = text.trim();
    Matcher m = SHORT.matcher(value.toLowerCase());
    Instant at;
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      Duration d = switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        default -> Duration.ofDays(7 * n);
      };
      at = now.plus(d);
    } else if (value.toUpperCase().startsWith("P")) {
      at = parseIso(value.toUpperCase(), now);
      if (at == null) {
        return Optional.empty();
      }
    } else {
      return Optional.empty();
    }
    if (!at.isAfter(now) || Duration.between(now, at).compareTo(MAX) > 0) {
      return Optional.empty();
    }
    return Optional.of(at);
  }

  private static Instant parseIso(String value, Instant now) {
    try {
      return now.plus(Duration.parse(value));
    } catch (DateTimeParseException notADuration) {
      try {
        // Years, months and weeks are calendar amounts: Period, applied in UTC.
        return now.atOffset(ZoneOffset.UTC).plus(Period.parse(value)).toInstant();
      } catch (DateTimeParseException notAPeriod) {
        return null;
      }
    }
  }
}
