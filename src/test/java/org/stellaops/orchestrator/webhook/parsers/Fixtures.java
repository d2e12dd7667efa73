package org.stellaops.orchestrator.webhook.parsers;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Loads the vendor-shaped bodies under {@code src/test/resources/webhooks/}. */
final class Fixtures {

  private Fixtures() {}

  /** A fresh copy of {@code webhooks/<path>} each call, so a test may change it. */
  static JsonObject load(String path) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/webhooks/" + path)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture webhooks/" + path);
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Request headers as the caller passes them: names in lower case. */
  static Map<String, String> headers(String... nameValuePairs) {
    Map<String, String> h = new HashMap<>();
    for (int i = 0; i < nameValuePairs.length; i += 2) {
      h.put(nameValuePairs[i], nameValuePairs[i + 1]);
    }
    return h;
  }
}
