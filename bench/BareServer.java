import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/**
 * The baseline for bench/ingest: a bare Vert.x 5 HTTP server with one verticle per core (the
 * gateway's default), that reads each request body and answers 202 {"success":true} without
 * parsing, checking or storing anything. Binds 127.0.0.1 only.
 *
 * <p>Run: {@code java -cp "$(cat target/classpath.txt)" bench/BareServer.java <port>}; prints
 * "listening on port N" when every instance is bound. Stops on SIGTERM.
 */
public final class BareServer {

  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8090;
    int instances = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(() -> new VerticleBase() {
          private HttpServer server;

          @Override
          public Future<?> start() {
            server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
                .requestHandler(req -> req.body().onComplete(body -> req.response()
                    .setStatusCode(202)
                    .putHeader("Content-Type", "application/json")
                    .end("{\"success\":true}")));
            return server.listen();
          }
        }, new DeploymentOptions().setInstances(instances))
        .onSuccess(id -> System.out.println("listening on port " + port + " with " + instances + " instances"))
        .onFailure(e -> {
          System.err.println("bare server failed to start: " + e);
          System.exit(1);
        });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        vertx.close().await(); // Vert.x 5: blocks this (non-event-loop) thread
      } catch (Exception ignored) {
        // exiting anyway
      }
    }));
  }
}
