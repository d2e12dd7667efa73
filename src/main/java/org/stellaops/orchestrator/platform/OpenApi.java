package org.stellaops.orchestrator.platform;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;

/** Serves the OpenAPI 3.1 description (src/main/resources/openapi.yaml); a test keeps it equal to the route table. */
public final class OpenApi {

  public static final String RESOURCE = "openapi.yaml";

  private final Buffer document;

  public OpenApi() {
    try (InputStream in = OpenApi.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the classpath");
      }
      document = Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The description as served. */
  public Buffer document() {
    return document;
  }

  public void serve(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "application/yaml").end(document);
  }
}
