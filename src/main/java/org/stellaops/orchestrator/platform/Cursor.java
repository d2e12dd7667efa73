package org.stellaops.orchestrator.platform;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Opaque keyset cursor: the list it belongs to, then the sort key of the last item on a page
 * ({@code at}, then {@code id} to break ties). Lists ordered newest first continue with rows
 * strictly before it, so pages never skip or repeat rows while new ones are inserted.
 *
 * <p>A cursor only positions a query and grants nothing, so it is not signed; it is checked
 * strictly instead: it must name the list it is given to, its time must be one PostgreSQL can
 * compare, and its id must look like an id or a tag. Anything else is 400 {@code INVALID_CURSOR},
 * never a database error.
 */
public record Cursor(String list, Instant at, String id) {

  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 200;

  private static final int MAX_ENCODED = 512;
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:-]{0,127}");
  private static final Instant EARLIEST = Instant.EPOCH;
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

  public String encode() {
    String raw = list + "|" + at.toString() + "|" + id;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  /** Decodes a cursor a client sent back to {@code list}; a tampered one, or another list's, is a 400. */
  public static Cursor decode(String list, String encoded) {
    if (encoded.length() > MAX_ENCODED) {
      throw invalid("cursor is not one this API issued");
    }
    String[] parts;
    Instant at;
    try {
      String raw = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8);
      parts = raw.split("\\|", -1);
      if (parts.length != 3) {
        throw invalid("cursor is not one this API issued");
      }
      at = Instant.parse(parts[1]);
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw invalid("cursor is not one this API issued");
    }
    if (!parts[0].equals(list)) {
      throw invalid("cursor belongs to another list; pass back the nextCursor of this list");
    }
    if (at.isBefore(EARLIEST) || at.isAfter(LATEST) || !ID.matcher(parts[2]).matches()) {
      throw invalid("cursor is not one this API issued");
    }
    return new Cursor(list, at, parts[2]);
  }

  /** The tie-breaking id as a UUID, for lists keyed by one. */
  public UUID uuid() {
    UUID uuid = Ids.uuidOrNull(id);
    if (uuid == null) {
      throw invalid("cursor is not one this API issued");
    }
    return uuid;
  }

  private static ApiException invalid(String message) {
    return ApiException.of(400, "INVALID_CURSOR", message);
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
