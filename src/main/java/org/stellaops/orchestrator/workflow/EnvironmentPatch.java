package org.stellaops.orchestrator.workflow;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.UUID;
import java.util.regex.Pattern;
import org.stellaops.orchestrator.platform.Change;
import org.stellaops.orchestrator.platform.Validator;

/**
 * A merge patch of an environment; arrays are replaced whole. {@code null} clears {@code displayName},
 * {@code url} and {@code autoPromoteFrom}, empties {@code freezeWindows} and {@code workflow}, and makes
 * {@code autoPromote} false; {@code name}, {@code orderIndex}, {@code requiredApprovals} and
 * {@code deploymentTimeout} cannot be cleared. The workflow is checked with the stored one by
 * {@link EnvironmentService}: its sealed values are matched against what is stored.
 */
public record EnvironmentPatch(Change<String> name, Change<String> displayName, Change<String> url,
    Change<Integer> orderIndex, Change<Integer> requiredApprovals, Change<Boolean> autoPromote,
    Change<UUID> autoPromoteFrom, Change<Integer> deploymentTimeout, Change<JsonArray> freezeWindows,
    Change<JsonArray> workflow) {

  private static final Pattern NAME = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?");
  private static final Pattern HTTP_URL = Pattern.compile("https?://\\S+");

  /** The body of {@code PATCH /api/v1/environments/{id}}; every bad field is reported in one 400. */
  public static EnvironmentPatch parse(JsonObject body) {
    Validator v = new Validator(body);
    if (body.containsKey("name") && body.getValue("name") == null) {
      v.error("name", "cannot be cleared", "REQUIRED");
    }
    EnvironmentPatch patch = read(v);
    v.throwIfInvalid();
    return patch;
  }

  /** The fields present in the body, every problem recorded in {@code v}; valid only once {@code v} is. */
  static EnvironmentPatch read(Validator v) {
    Change<String> name = v.has("name") ? Change.sent(v.matching("name", v.optionalString("name", 64), NAME,
        "lower-case letters, digits and '-' (at most 64), such as staging or prod-eu")) : Change.keep();
    return new EnvironmentPatch(name,
        v.change("displayName", () -> v.optionalString("displayName", 200)),
        v.change("url", () -> v.matching("url", v.optionalString("url", 2048), HTTP_URL, "an http(s) URL")),
        v.change("orderIndex", () -> wholeNumber(v, "orderIndex", 0, 10_000)),
        v.change("requiredApprovals", () -> wholeNumber(v, "requiredApprovals", 0, 20)),
        v.change("autoPromote", () -> v.optionalBoolean("autoPromote")).clearingTo(false),
        v.change("autoPromoteFrom", () -> v.optionalUuid("autoPromoteFrom")),
        v.change("deploymentTimeout", () -> wholeNumber(v, "deploymentTimeout", 1, 86_400)),
        v.change("freezeWindows", () -> freezeWindows(v)).clearingTo(new JsonArray()),
        v.change("workflow", () -> v.optionalArray("workflow")).clearingTo(new JsonArray()));
  }

  /** {@code [{start, end, reason?}]} with ISO-8601 timestamps, start before end. */
  private static JsonArray freezeWindows(Validator v) {
    JsonArray raw = v.optionalArray("freezeWindows");
    if (raw == null) {
      return null;
    }
    for (int i = 0; i < raw.size(); i++) {
      String path = "freezeWindows[" + i + "]";
      if (!(raw.getValue(i) instanceof JsonObject w)) {
        v.error(path, "must be an object {start, end, reason?}", "INVALID_TYPE");
        continue;
      }
      Validator f = v.nested(w, path);
      OffsetDateTime start = time(f, "start");
      OffsetDateTime end = time(f, "end");
      f.optionalString("reason", 500);
      if (start != null && end != null && !end.isAfter(start)) {
        f.error("end", "must be after start", "INVALID_VALUE");
      }
    }
    return raw;
  }

  private static OffsetDateTime time(Validator f, String field) {
    String raw = f.requiredString(field, 64);
    if (raw == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(raw);
    } catch (DateTimeParseException e) {
      f.error(field, "must be an ISO-8601 timestamp such as 2026-12-24T00:00:00Z", "INVALID_FORMAT");
      return null;
    }
  }

  /** A whole number within [min, max]; {@code null} is not one. */
  private static Integer wholeNumber(Validator v, String field, int min, int max) {
    if (v.optionalObjectValue(field) instanceof Integer n && n >= min && n <= max) {
      return n;
    }
    v.error(field, "must be a whole number from " + min + " to " + max, "OUT_OF_RANGE");
    return null;
  }
}
