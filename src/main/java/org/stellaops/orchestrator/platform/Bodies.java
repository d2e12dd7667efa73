package org.stellaops.orchestrator.platform;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Reads request bodies the same way everywhere: JSON objects only, with precise 4xx answers. */
public final class Bodies {

  private Bodies() {}

  /**
   * The body as a JSON object; 415 for another content type, 400 for anything but one object or
   * for a string holding text PostgreSQL cannot store ({@link TextSafety}).
   */
  public static JsonObject jsonObject(RoutingContext ctx) {
    String contentType = ctx.request().getHeader("Content-Type");
    if (contentType != null && !isJson(contentType)) {
      throw ApiException.of(415, "UNSUPPORTED_MEDIA_TYPE",
          "Content-Type must be application/json, got " + contentType);
    }
    Buffer raw = ctx.body().buffer();
    if (raw == null || raw.length() == 0) {
      throw ApiException.of(400, "MALFORMED_JSON", "request body is empty; send a JSON object");
    }
    Object parsed;
    try {
      parsed = io.vertx.core.json.Json.decodeValue(raw);
    } catch (DecodeException e) {
      throw ApiException.of(400, "MALFORMED_JSON", "request body is not valid JSON");
    }
    if (!(parsed instanceof JsonObject object)) {
      throw ApiException.of(400, "MALFORMED_JSON", "request body must be a JSON object");
    }
    TextSafety.requireStorable(object);
    return object;
  }

  static boolean isJson(String contentType) {
    String mime = contentType.split(";", 2)[0].trim().toLowerCase();
    return mime.equals("application/json") || mime.endsWith("+json");
  }
}
