import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The baseline of bench/ingest: a bare Vert.x 5 HTTP server, one verticle per core like the
 * gateway's default, that reads each request body and answers 202 {"success":true} without
 * parsing, checking or storing anything. It binds 127.0.0.1 only.
 *
 * <p>Run: {@code java -cp "$(cat target/classpath.txt)" bench/BareServer.java <port> [instances]}.
 * Port 0 picks one free port shared by all instances. Prints "listening on port N" once every
 * instance is bound; stops on SIGTERM.
 */
public final class BareServer {

  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8090;
    int instances = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
    // A negative port makes Vert.x pick one free port and share it across the instances.
    int bindPort = port == 0 ? -1 : port;
    AtomicInteger actualPort = new AtomicInteger();
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(() -> new VerticleBase() {
          @Override
          public Future<?> start() {
            return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(bindPort))
                .requestHandler(req -> req.body().onComplete(body -> req.response()
                    .setStatusCode(202)
                    .putHeader("Content-Type", "application/json")
                    .end("{\"success\":true}")))
                .listen()
                .onSuccess(server -> actualPort.set(server.actualPort()));
          }
        }, new DeploymentOptions().setInstances(instances))
        .onSuccess(id -> System.out.println("listening on port " + actualPort.get() + " with " + instances
            + " instances"))
        .onFailure(e -> {
          System.err.println("bare server failed to start: " + e);
          System.exit(1);
        });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        vertx.close().await(); // a plain thread may block on a Vert.x 5 future
      } catch (Exception ignored) {
        // exiting anyway
      }
    }));
  }
}
