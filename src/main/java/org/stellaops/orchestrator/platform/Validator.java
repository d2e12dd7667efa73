package org.stellaops.orchestrator.platform;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Reads fields out of a JSON body and collects every problem instead of stopping at the
 * first, so one 400 lists all bad fields. Readers return null for absent or invalid values;
 * call {@link #throwIfInvalid()} before using them.
 */
public final class Validator {

  private final JsonObject body;
  private final String prefix;
  private final Problems problems;

  /** Shared by a validator and its nested ones: the first problems in full, and how many there were. */
  private static final class Problems {
    final List<ValidationError> kept = new ArrayList<>();
    int count;
  }

  public Validator(JsonObject body) {
    this(body, "", new Problems());
  }

  private Validator(JsonObject body, String prefix, Problems problems) {
    this.body = body;
    this.prefix = prefix;
    this.problems = problems;
  }

  /** A validator for a nested object that reports into the same error list, e.g. "components[0].". */
  public Validator nested(JsonObject child, String path) {
    return new Validator(child, prefix + path + ".", problems);
  }

  public String path(String field) {
    return prefix + field;
  }

  /** Records a problem; beyond {@link ApiException#MAX_VALIDATION_ERRORS} only the count grows. */
  public void error(String field, String message, String code) {
    problems.count++;
    if (problems.kept.size() < ApiException.MAX_VALIDATION_ERRORS) {
      problems.kept.add(new ValidationError(path(field), message, code));
    }
  }

  public boolean has(String field) {
    return body.containsKey(field) && body.getValue(field) != null;
  }

  /**
   * A merge-patch field: {@link Change#keep()} when absent, otherwise what {@code read} gives, null
   * read as a clear (an invalid value reads as null too, and is reported).
   */
  public <T> Change<T> change(String field, Supplier<T> read) {
    return body.containsKey(field) ? Change.sent(read.get()) : Change.keep();
  }

  /** The raw value of a field, for fields whose type the caller checks itself. */
  public Object optionalObjectValue(String field) {
    return body.getValue(field);
  }

  public boolean isValid() {
    return problems.count == 0;
  }

  /** The first {@link ApiException#MAX_VALIDATION_ERRORS} problems. */
  public List<ValidationError> errors() {
    return problems.kept;
  }

  public void throwIfInvalid() {
    if (problems.count > 0) {
      throw ApiException.validation(problems.kept, problems.count);
    }
  }

  public String requiredString(String field, int maxLength) {
    if (!has(field)) {
      error(field, "is required", "REQUIRED");
      return null;
    }
    return optionalString(field, maxLength);
  }

  public String optionalString(String field, int maxLength) {
    if (!has(field)) {
      return null;
    }
    Object value = body.getValue(field);
    if (!(value instanceof String s)) {
      error(field, "must be a string", "INVALID_TYPE");
      return null;
    }
    String trimmed = s.trim();
    if (trimmed.isEmpty()) {
      error(field, "must not be blank", "BLANK");
      return null;
    }
    if (trimmed.length() > maxLength) {
      error(field, "must be at most " + maxLength + " characters", "TOO_LONG");
      return null;
    }
    if (trimmed.chars().anyMatch(Character::isISOControl)) {
      error(field, "must not contain control characters", "INVALID_FORMAT");
      return null;
    }
    return trimmed;
  }

  public String matching(String field, String value, Pattern pattern, String expected) {
    if (value != null && !pattern.matcher(value).matches()) {
      error(field, "must be " + expected, "INVALID_FORMAT");
      return null;
    }
    return value;
  }

  public UUID optionalUuid(String field) {
    String raw = optionalString(field, 64);
    if (raw == null) {
      return null;
    }
    UUID uuid = Ids.uuidOrNull(raw);
    if (uuid == null) {
      error(field, "must be a UUID", "INVALID_FORMAT");
    }
    return uuid;
  }

  public Boolean optionalBoolean(String field) {
    if (!has(field)) {
      return null;
    }
    Object value = body.getValue(field);
    if (!(value instanceof Boolean b)) {
      error(field, "must be true or false", "INVALID_TYPE");
      return null;
    }
    return b;
  }

  public JsonObject optionalObject(String field) {
    if (!has(field)) {
      return null;
    }
    Object value = body.getValue(field);
    if (!(value instanceof JsonObject o)) {
      error(field, "must be an object", "INVALID_TYPE");
      return null;
    }
    return o;
  }

  public JsonArray optionalArray(String field) {
    if (!has(field)) {
      return null;
    }
    Object value = body.getValue(field);
    if (!(value instanceof JsonArray a)) {
      error(field, "must be an array", "INVALID_TYPE");
      return null;
    }
    return a;
  }

  /** An object whose values are all strings (labels, metadata). */
  public JsonObject optionalStringMap(String field, int maxEntries, int maxValueLength) {
    JsonObject map = optionalObject(field);
    if (map == null) {
      return null;
    }
    if (map.size() > maxEntries) {
      error(field, "must have at most " + maxEntries + " entries", "TOO_MANY");
      return null;
    }
    for (String key : map.fieldNames()) {
      Object v = map.getValue(key);
      if (!(v instanceof String s) || s.length() > maxValueLength) {
        error(field + "." + key, "must be a string of at most " + maxValueLength + " characters",
            "INVALID_TYPE");
      }
    }
    return map;
  }

  /** A list of non-blank strings. */
  public List<String> optionalStringList(String field, int maxItems, int maxLength) {
    JsonArray array = optionalArray(field);
    if (array == null) {
      return null;
    }
    if (array.size() > maxItems) {
      error(field, "must have at most " + maxItems + " items", "TOO_MANY");
      return null;
    }
    List<String> values = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      Object v = array.getValue(i);
      if (!(v instanceof String s) || s.isBlank() || s.length() > maxLength) {
        error(field + "[" + i + "]", "must be a non-blank string of at most " + maxLength + " characters",
            "INVALID_TYPE");
      } else {
        values.add(s.trim());
      }
    }
    return values;
  }
}
