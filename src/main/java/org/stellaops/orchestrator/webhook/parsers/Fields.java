package org.stellaops.orchestrator.webhook.parsers;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.Map;

/**
 * Lenient, null-safe reads from vendor JSON. Vendors are loose about types (GitLab and Jenkins
 * send numeric ids, GitHub sends {@code ""} for "no tag"), and {@link JsonObject#getString}
 * throws on a number, so every parser reads through these helpers instead.
 */
final class Fields {

  private Fields() {}

  /** The object under {@code key}, or null when absent or not an object. */
  static JsonObject obj(JsonObject o, String key) {
    if (o == null) {
      return null;
    }
    return o.getValue(key) instanceof JsonObject j ? j : null;
  }

  /** The array under {@code key}, or null when absent or not an array. */
  static JsonArray arr(JsonObject o, String key) {
    if (o == null) {
      return null;
    }
    return o.getValue(key) instanceof JsonArray a ? a : null;
  }

  /**
   * The value at a path of keys as text: strings as they are, whole numbers without a
   * fraction, booleans as words. Null when any step is missing, and for blank strings, which
   * senders use to mean "none" (GitHub's untagged {@code tag.name}).
   */
  static String text(JsonObject o, String... path) {
    JsonObject cur = o;
    for (int i = 0; i < path.length - 1; i++) {
      cur = obj(cur, path[i]);
    }
    return cur == null ? null : asText(cur.getValue(path[path.length - 1]));
  }

  /** A JSON scalar as text, null for anything else or blank. */
  static String asText(Object v) {
    String s;
    if (v instanceof String str) {
      s = str;
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      s = Double.isFinite(d) && d == Math.rint(d) ? new BigDecimal(d).toBigInteger().toString() : v.toString();
    } else if (v instanceof BigDecimal bd) {
      s = bd.stripTrailingZeros().toPlainString();
    } else if (v instanceof Number || v instanceof Boolean) {
      s = v.toString();
    } else {
      return null;
    }
    return s.isBlank() ? null : s;
  }

  /** A request header (the caller gives names in lower case), null when absent or blank. */
  static String header(Map<String, String> headers, String lowerCaseName) {
    if (headers == null) {
      return null;
    }
    String v = headers.get(lowerCaseName);
    return v == null || v.isBlank() ? null : v.trim();
  }

  /** Joins a registry host and a repository path; the path alone when the host is unknown. */
  static String qualify(String host, String repository) {
    return host == null ? repository : host + "/" + repository;
  }
}
