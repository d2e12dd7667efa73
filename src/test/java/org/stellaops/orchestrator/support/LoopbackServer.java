package org.stellaops.orchestrator.support;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.TimeUnit;

/** Starts the vendor fakes' HTTP servers: on a free port (the tests reach them on 127.0.0.1), waiting (test thread only) until they listen. */
final class LoopbackServer {

  private LoopbackServer() {}

  static HttpServer listen(Vertx vertx, Handler<HttpServerRequest> handler) {
    try {
      return vertx.createHttpServer().requestHandler(handler).listen(0)
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
