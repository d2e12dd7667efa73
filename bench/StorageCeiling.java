import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.stellaops.orchestrator.platform.AppConfig;
import org.stellaops.orchestrator.platform.ConfigLoader;
import org.stellaops.orchestrator.platform.Database;
import org.stellaops.orchestrator.platform.Ids;
import org.stellaops.orchestrator.webhook.Delivery;
import org.stellaops.orchestrator.webhook.InboxWriter;
import org.stellaops.orchestrator.webhook.NewDelivery;

/**
 * The durable-write ceiling of bench/ingest: the bare server's HTTP handling plus the gateway's
 * own storage path, and nothing else. It starts the gateway's embedded PostgreSQL (same settings,
 * same migrations) in a data directory of its own, deploys the gateway's {@link InboxWriter}, and
 * answers each request 202 only after the gateway's group-commit insert stored it as a
 * webhook_delivery row. It does not route, authenticate, parse JSON, classify or process: the gap
 * between this server and the gateway is the gateway's request handling and the inbox processor
 * running beside it; the gap between this server and the bare one is what a durable row per
 * delivery, with the gateway's writer and table, costs on this machine.
 *
 * <p>Run: {@code java -cp target/release-orchestrator.jar bench/StorageCeiling.java <dataDir> [instances]}
 * (the shaded jar alone: with the Maven classpath too, the embedded PostgreSQL binaries are found
 * twice and refuse to start). Listens on a free 127.0.0.1 port and prints "listening on port N
 * ... (PostgreSQL on port P)"; stops (and stops its PostgreSQL) on SIGTERM.
 */
public final class StorageCeiling {

  private static final UUID SOURCE = new UUID(0, 1);
  private static final JsonObject HEADERS = new JsonObject()
      .put("content-type", "application/vnd.docker.distribution.events.v1+json");

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    int instances = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
    AppConfig config = new ConfigLoader(Map.of("STELLA_DATA_DIR", dataDir.toString()), Optional.empty()).load();
    Database db = Database.start(config);
    db.migrate();
    Vertx vertx = Vertx.vertx();
    InboxWriter writer = new InboxWriter(() -> db.pool(vertx, InboxWriter.MAX_IN_FLIGHT),
        config.inbox().maxQueued(), () -> { });
    AtomicInteger port = new AtomicInteger();
    vertx.deployVerticle(writer)
        .compose(writerId -> vertx.deployVerticle(() -> new VerticleBase() {
          @Override
          public Future<?> start() {
            // -1: one free port shared by every instance, like the gateway's HTTP verticles.
            return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(-1))
                .requestHandler(req -> req.body()
                    .compose(body -> writer.submit(new NewDelivery(Ids.timeOrdered(), SOURCE.toString(), SOURCE,
                        "registry.distribution", Ids.timeOrdered().toString(), Delivery.RECEIVED, null,
                        HEADERS, body.getBytes())))
                    .onComplete(stored -> {
                      if (stored.succeeded()) {
                        req.response().setStatusCode(202).putHeader("Content-Type", "application/json")
                            .end("{\"success\":true,\"data\":{\"deliveryId\":\"" + stored.result().id()
                                + "\",\"duplicate\":false}}");
                      } else {
                        req.response().setStatusCode(503).end(String.valueOf(stored.cause().getMessage()));
                      }
                    }))
                .listen()
                .onSuccess(server -> port.set(server.actualPort()));
          }
        }, new DeploymentOptions().setInstances(instances)))
        .onSuccess(id -> System.out.println("listening on port " + port.get() + " with " + instances
            + " instances (PostgreSQL on port " + db.connectOptions().getPort() + ")"))
        .onFailure(e -> {
          System.err.println("storage ceiling server failed to start: " + e);
          db.close();
          System.exit(1);
        });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        vertx.close().await(); // undeploys the writer after it answered what it holds
      } catch (Exception ignored) {
        // exiting anyway
      } finally {
        db.close();
      }
    }));
  }
}
