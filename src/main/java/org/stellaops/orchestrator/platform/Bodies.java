package org.stellaops.orchestrator.platform;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;

/** Reads request bodies the same way everywhere: JSON objects only, with precise 4xx answers. */
public final class Bodies {

  /** The body once read, so the description's check and the handler parse it once. */
  private static final String PARSED = "bodies.jsonObject";

  private static final JsonFactory STRICT = JsonFactory.builder()
      .disable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
      .disable(JsonReadFeature.ALLOW_YAML_COMMENTS)
      .build();

  private Bodies() {}

  /**
   * The body as a JSON object; 415 for another content type, 400 for anything but one object or
   * for a string holding text PostgreSQL cannot store ({@link TextSafety}).
   */
  public static JsonObject jsonObject(RoutingContext ctx) {
    JsonObject read = ctx.get(PARSED);
    if (read != null) {
      return read;
    }
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
      requireStrictJson(raw);
      parsed = io.vertx.core.json.Json.decodeValue(raw);
    } catch (DecodeException | IOException e) {
      throw ApiException.of(400, "MALFORMED_JSON", "request body is not valid JSON");
    }
    if (!(parsed instanceof JsonObject object)) {
      throw ApiException.of(400, "MALFORMED_JSON", "request body must be a JSON object");
    }
    TextSafety.requireStorable(object);
    ctx.put(PARSED, object);
    return object;
  }

  /**
   * Vert.x's shared JSON codec is lenient (it takes {@code //} and {@code /* *}{@code /} comments);
   * request bodies must be RFC 8259 JSON, which a parser with Jackson's defaults enforces.
   */
  private static void requireStrictJson(Buffer raw) throws IOException {
    try (JsonParser parser = STRICT.createParser(raw.getBytes())) {
      while (parser.nextToken() != null) {
        // Reading every token is the check.
      }
    }
  }

  static boolean isJson(String contentType) {
    String mime = contentType.split(";", 2)[0].trim().toLowerCase();
    return mime.equals("application/json") || mime.endsWith("+json");
  }
}
