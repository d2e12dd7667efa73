package org.stellaops.orchestrator.platform;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;

/**
 * Opaque keyset cursor: the sort key of the last item on a page ({@code at}, then {@code id}
 * to break ties). Lists ordered newest first continue with rows strictly before it, so pages
 * never skip or repeat rows while new ones are inserted.
 */
public record Cursor(Instant at, String id) {

  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 200;

  public String encode() {
    String raw = at.toString() + "|" + id;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  /** Decodes a cursor a client sent back; a tampered or foreign one is a 400. */
  public static Cursor decode(String encoded) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8);
      int bar = raw.indexOf('|');
      if (bar < 0) {
        throw new IllegalArgumentException();
      }
      return new Cursor(Instant.parse(raw.substring(0, bar)), raw.substring(bar + 1));
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw ApiException.of(400, "INVALID_CURSOR", "cursor is not one this API issued");
    }
  }

  /** The tie-breaking id as a UUID; a cursor from another list is a 400, not a 500. */
  public java.util.UUID uuid() {
    try {
      return java.util.UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw ApiException.of(400, "INVALID_CURSOR", "cursor is not one this API issued");
    }
  }

  /** The {@code limit} query parameter, defaulted and bounded. */
  public static int limit(String raw) {
    if (raw == null || raw.isBlank()) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(raw.trim());
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException ignored) {
      // fall through to the same answer as an out-of-range number
    }
    throw ApiException.validation(java.util.List.of(new ValidationError("limit",
        "must be a whole number from 1 to " + MAX_LIMIT, "OUT_OF_RANGE")));
  }
}
