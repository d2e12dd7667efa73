package org.stellaops.orchestrator.platform;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps text PostgreSQL cannot store out of the gateway. PostgreSQL's text types cannot hold the
 * NUL character at all ({@code invalid byte sequence for encoding "UTF8": 0x00}) and jsonb
 * refuses the JSON escape for it ({@code unsupported Unicode escape sequence}), see
 * https://www.postgresql.org/docs/current/datatype-json.html. A NUL anywhere in a request's
 * JSON strings or keys, its path or its query parameters is therefore refused with a 400
 * {@code VALIDATION_FAILED} naming where it was ({@code INVALID_CHARACTER}), before any handler
 * can carry it to the database. Other text is passed through unchanged.
 */
public final class TextSafety {

  public static final String CODE = "INVALID_CHARACTER";
  static final String MESSAGE = "contains a NUL character (\\u0000), which cannot be stored";
  private static final char NUL = '\u0000';

  private TextSafety() {}

  /** Fails with the 400 naming the first JSON string or key holding a NUL, if any. */
  public static void requireStorable(JsonObject json) {
    firstNul(json).ifPresent(TextSafety::refuse);
  }

  /**
   * The path of the first string or key holding a NUL ({@code components[0].tag}, {@code config}
   * for a key of {@code config}, {@code $} for a key at the top). Pure.
   */
  public static Optional<String> firstNul(Object json) {
    return firstNul(json, "");
  }

  private static Optional<String> firstNul(Object value, String path) {
    if (value instanceof String s) {
      return s.indexOf(NUL) >= 0 ? Optional.of(path.isEmpty() ? "$" : path) : Optional.empty();
    }
    if (value instanceof JsonObject object) {
      for (Map.Entry<String, Object> e : object) {
        if (e.getKey().indexOf(NUL) >= 0) {
          return Optional.of(path.isEmpty() ? "$" : path);
        }
        Optional<String> found = firstNul(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey());
        if (found.isPresent()) {
          return found;
        }
      }
    } else if (value instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        Optional<String> found = firstNul(array.getValue(i), path + "[" + i + "]");
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }

  /** {@code text} with every NUL replaced by U+FFFD, so it can be stored as it otherwise reads. Pure. */
  public static String storable(String text) {
    return text == null || text.indexOf(NUL) < 0 ? text : text.replace(NUL, '\uFFFD');
  }

  /**
   * The router's first handler: refuses a NUL in the path or in a query parameter. Path
   * parameters are named after the route the path would match (path parameters are only known
   * once a route matched, too late for one early check); a path no route matches is named
   * {@code path}.
   */
  public static Handler<RoutingContext> requestLine(Router router) {
    return ctx -> {
      String path = ctx.request().path();
      if (path != null && holdsNul(path)) {
        refuse(pathParameter(router, ctx.request().method().name(), path));
        return;
      }
      String query = ctx.request().query();
      if (query != null && holdsNul(query)) {
        refuse(queryParameter(query));
        return;
      }
      ctx.next();
    };
  }

  /** A raw (percent-encoded) path or query holds a NUL: {@code %00} is the only UTF-8 spelling of it. */
  static boolean holdsNul(String raw) {
    return raw.indexOf(NUL) >= 0 || raw.contains("%00");
  }

  /** The name of the first query parameter whose name or value holds a NUL, decoded. Pure. */
  static String queryParameter(String rawQuery) {
    for (String pair : rawQuery.split("&")) {
      if (holdsNul(pair)) {
        String name = pair.split("=", 2)[0];
        String decoded = decode(name);
        return decoded.indexOf(NUL) >= 0 || decoded.isEmpty() ? "query" : decoded;
      }
    }
    return "query";
  }

  /**
   * The name of the path parameter in the segment holding a NUL, after the first route of
   * {@code method} whose pattern the path fits; {@code path} when none fits.
   */
  static String pathParameter(Router router, String method, String rawPath) {
    List<String> patterns = router.getRoutes().stream()
        .filter(r -> r.getPath() != null && r.methods() != null
            && r.methods().stream().anyMatch(m -> m.name().equals(method)))
        .map(Route::getPath)
        .toList();
    return pathParameter(patterns, rawPath);
  }

  /** As above, over route patterns ({@code /components/:id}, {@code /releases/by-name/*}). Pure. */
  static String pathParameter(List<String> patterns, String rawPath) {
    String[] segments = rawPath.split("/", -1);
    for (String pattern : patterns) {
      String[] parts = pattern.split("/", -1);
      String name = matchNul(parts, segments);
      if (name != null) {
        return name;
      }
    }
    return "path";
  }

  /** The parameter holding the NUL when {@code segments} fit {@code parts}, else null. */
  private static String matchNul(String[] parts, String[] segments) {
    boolean wildcard = parts.length > 0 && parts[parts.length - 1].equals("*");
    if (wildcard ? segments.length < parts.length : segments.length != parts.length) {
      return null;
    }
    String found = null;
    for (int i = 0; i < segments.length; i++) {
      if (wildcard && i >= parts.length - 1) {
        // The wildcard takes the rest of the path; it is the route's one named value.
        return found != null ? found : holdsNul(segments[i]) || restHoldsNul(segments, i) ? "name" : null;
      }
      String part = parts[i];
      if (part.startsWith(":")) {
        if (found == null && holdsNul(segments[i])) {
          found = part.substring(1);
        }
      } else if (!part.equals(segments[i])) {
        return null;
      }
    }
    return found;
  }

  private static boolean restHoldsNul(String[] segments, int from) {
    for (int i = from; i < segments.length; i++) {
      if (holdsNul(segments[i])) {
        return true;
      }
    }
    return false;
  }

  private static String decode(String raw) {
    try {
      return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return raw;
    }
  }

  private static void refuse(String field) {
    throw ApiException.validation(List.of(new ValidationError(field, MESSAGE, CODE)));
  }
}
