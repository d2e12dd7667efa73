package org.stellaops.orchestrator;

import static org.stellaops.orchestrator.auth.Permission.CI_EVENT_CREATE;
import static org.stellaops.orchestrator.auth.Permission.COMPONENT_CREATE;
import static org.stellaops.orchestrator.auth.Permission.COMPONENT_DELETE;
import static org.stellaops.orchestrator.auth.Permission.COMPONENT_READ;
import static org.stellaops.orchestrator.auth.Permission.COMPONENT_UPDATE;
import static org.stellaops.orchestrator.auth.Permission.ENVIRONMENT_CREATE;
import static org.stellaops.orchestrator.auth.Permission.ENVIRONMENT_DELETE;
import static org.stellaops.orchestrator.auth.Permission.ENVIRONMENT_READ;
import static org.stellaops.orchestrator.auth.Permission.ENVIRONMENT_UPDATE;
import static org.stellaops.orchestrator.auth.Permission.EVENT_SUBSCRIPTION_CREATE;
import static org.stellaops.orchestrator.auth.Permission.EVENT_SUBSCRIPTION_DELETE;
import static org.stellaops.orchestrator.auth.Permission.EVENT_SUBSCRIPTION_READ;
import static org.stellaops.orchestrator.auth.Permission.INTEGRATION_CREATE;
import static org.stellaops.orchestrator.auth.Permission.INTEGRATION_DELETE;
import static org.stellaops.orchestrator.auth.Permission.INTEGRATION_READ;
import static org.stellaops.orchestrator.auth.Permission.INTEGRATION_UPDATE;
import static org.stellaops.orchestrator.auth.Permission.PIPELINE_RUN_CREATE;
import static org.stellaops.orchestrator.auth.Permission.PIPELINE_RUN_READ;
import static org.stellaops.orchestrator.auth.Permission.PIPELINE_RUN_UPDATE;
import static org.stellaops.orchestrator.auth.Permission.DEPLOYMENT_READ;
import static org.stellaops.orchestrator.auth.Permission.DEPLOYMENT_UPDATE;
import static org.stellaops.orchestrator.auth.Permission.PROMOTION_APPROVE;
import static org.stellaops.orchestrator.auth.Permission.PROMOTION_CREATE;
import static org.stellaops.orchestrator.auth.Permission.PROMOTION_READ;
import static org.stellaops.orchestrator.auth.Permission.PROMOTION_UPDATE;
import static org.stellaops.orchestrator.auth.Permission.RELEASE_CREATE;
import static org.stellaops.orchestrator.auth.Permission.RELEASE_READ;
import static org.stellaops.orchestrator.auth.Permission.SERVICE_ACCOUNT_CREATE;
import static org.stellaops.orchestrator.auth.Permission.SERVICE_ACCOUNT_DELETE;
import static org.stellaops.orchestrator.auth.Permission.SERVICE_ACCOUNT_READ;
import static org.stellaops.orchestrator.auth.Permission.VERSION_MAP_CREATE;
import static org.stellaops.orchestrator.auth.Permission.VERSION_MAP_READ;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.stellaops.orchestrator.platform.AppConfig;
import org.stellaops.orchestrator.platform.FailureHandler;
import org.stellaops.orchestrator.platform.RequestIds;
import org.stellaops.orchestrator.platform.TextSafety;
import org.stellaops.orchestrator.webhook.WebhookRoutes;

/**
 * The HTTP front: one instance per event loop, all sharing the same port and the same
 * services. Handlers only parse, call one use case and write the envelope.
 */
public final class ApiVerticle extends VerticleBase {

  static final String V1 = "/api/v1";

  private final AppConfig.Http config;
  private final int port;
  private final Wiring w;
  private final BiConsumer<Integer, Router> onListening;
  private HttpServer server;

  /** {@code onListening} receives the bound port (when {@code port} asked for any free one) and the router. */
  public ApiVerticle(AppConfig.Http config, int port, Wiring wiring, BiConsumer<Integer, Router> onListening) {
    this.config = config;
    this.port = port;
    this.w = wiring;
    this.onListening = onListening;
  }

  @Override
  public Future<?> start() {
    Router router = routes(Router.router(vertx));
    server = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(port))
        .requestHandler(router);
    return server.listen().onSuccess(s -> onListening.accept(s.actualPort(), router));
  }

  /** The route table: one line per endpoint, the permission it needs, the handler. */
  Router routes(Router router) {
    FailureHandler failures = new FailureHandler();
    WebhookRoutes webhooks = new WebhookRoutes(w.webhookIngest(), w.inboxWriter());
    Handler<RoutingContext> countOversize = ctx -> WebhookRoutes.countOversize(ctx, w.webhookIngest().metrics());
    router.route().handler(new RequestIds());
    router.route().handler(TextSafety.requestLine(router));
    router.route().handler(BodyHandler.create().setBodyLimit(config.bodyLimit()).setHandleFileUploads(false));

    router.get("/health/live").handler(w.health()::live);
    router.get("/health/ready").handler(w.health()::ready);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(w.metrics().registry()));
    router.get(V1 + "/openapi.yaml").handler(w.openApi()::serve);

    router.post(V1 + "/service-accounts").handler(w.guard().require(SERVICE_ACCOUNT_CREATE)).handler(w.serviceAccounts()::create);
    router.get(V1 + "/service-accounts").handler(w.guard().require(SERVICE_ACCOUNT_READ)).handler(w.serviceAccounts()::list);
    router.get(V1 + "/service-accounts/:id").handler(w.guard().require(SERVICE_ACCOUNT_READ)).handler(w.serviceAccounts()::get);
    router.delete(V1 + "/service-accounts/:id").handler(w.guard().require(SERVICE_ACCOUNT_DELETE)).handler(w.serviceAccounts()::revoke);

    router.post(V1 + "/components").handler(w.guard().require(COMPONENT_CREATE)).handler(w.components()::create);
    router.get(V1 + "/components").handler(w.guard().require(COMPONENT_READ)).handler(w.components()::list);
    router.get(V1 + "/components/:id").handler(w.guard().require(COMPONENT_READ)).handler(w.components()::get);
    router.patch(V1 + "/components/:id").handler(w.guard().require(COMPONENT_UPDATE)).handler(w.components()::update);
    router.delete(V1 + "/components/:id").handler(w.guard().require(COMPONENT_DELETE)).handler(w.components()::delete);

    router.get(V1 + "/components/:id/versions").handler(w.guard().require(VERSION_MAP_READ)).handler(w.versions()::list);
    router.post(V1 + "/components/:id/versions").handler(w.guard().require(VERSION_MAP_CREATE)).handler(w.versions()::record);
    router.get(V1 + "/components/:id/versions/:tag/history").handler(w.guard().require(VERSION_MAP_READ)).handler(w.versions()::history);

    router.post(V1 + "/releases").handler(w.guard().require(RELEASE_CREATE)).handler(w.releases()::create);
    router.get(V1 + "/releases").handler(w.guard().require(RELEASE_READ)).handler(w.releases()::list);
    router.get(V1 + "/releases/by-name/*").handler(w.guard().require(RELEASE_READ)).handler(w.releases()::getByName);
    router.get(V1 + "/releases/:id").handler(w.guard().require(RELEASE_READ)).handler(w.releases()::get);

    router.post(V1 + "/integrations").handler(w.guard().require(INTEGRATION_CREATE)).handler(w.integrations()::create);
    router.get(V1 + "/integrations").handler(w.guard().require(INTEGRATION_READ)).handler(w.integrations()::list);
    router.get(V1 + "/integrations/:id").handler(w.guard().require(INTEGRATION_READ)).handler(w.integrations()::get);
    router.patch(V1 + "/integrations/:id").handler(w.guard().require(INTEGRATION_UPDATE)).handler(w.integrations()::update);
    router.delete(V1 + "/integrations/:id").handler(w.guard().require(INTEGRATION_DELETE)).handler(w.integrations()::delete);

    // Vendor webhooks prove themselves with the integration's secret, not a bearer token.
    router.post(V1 + "/webhooks/registry/:integrationId").handler(webhooks::registry).failureHandler(countOversize);
    router.post(V1 + "/webhooks/ci/:integrationId").handler(webhooks::ci).failureHandler(countOversize);
    router.post(V1 + "/webhooks/ci-status").handler(w.guard().require(CI_EVENT_CREATE)).handler(webhooks::ciStatus);
    router.post(V1 + "/ci-events/build-complete").handler(w.guard().require(CI_EVENT_CREATE)).handler(webhooks::buildComplete);
    router.post(V1 + "/integrations/:id/test").handler(w.guard().require(INTEGRATION_UPDATE)).handler(w.integrations()::test);

    router.post(V1 + "/pipeline-runs").handler(w.guard().require(PIPELINE_RUN_CREATE)).handler(w.pipelineRuns()::trigger);
    router.post(V1 + "/pipeline-runs/watch").handler(w.guard().require(PIPELINE_RUN_CREATE)).handler(w.pipelineRuns()::watch);
    router.get(V1 + "/pipeline-runs").handler(w.guard().require(PIPELINE_RUN_READ)).handler(w.pipelineRuns()::list);
    router.get(V1 + "/pipeline-runs/:id").handler(w.guard().require(PIPELINE_RUN_READ)).handler(w.pipelineRuns()::get);
    router.post(V1 + "/pipeline-runs/:id/cancel").handler(w.guard().require(PIPELINE_RUN_UPDATE)).handler(w.pipelineRuns()::cancel);

    router.post(V1 + "/environments").handler(w.guard().require(ENVIRONMENT_CREATE)).handler(w.environments()::create);
    router.get(V1 + "/environments").handler(w.guard().require(ENVIRONMENT_READ)).handler(w.environments()::list);
    router.get(V1 + "/environments/:id").handler(w.guard().require(ENVIRONMENT_READ)).handler(w.environments()::get);
    router.patch(V1 + "/environments/:id").handler(w.guard().require(ENVIRONMENT_UPDATE)).handler(w.environments()::update);
    router.delete(V1 + "/environments/:id").handler(w.guard().require(ENVIRONMENT_DELETE)).handler(w.environments()::delete);

    router.post(V1 + "/promotions").handler(w.guard().require(PROMOTION_CREATE)).handler(w.promotions()::create);
    router.get(V1 + "/promotions").handler(w.guard().require(PROMOTION_READ)).handler(w.promotions()::list);
    router.get(V1 + "/promotions/:id").handler(w.guard().require(PROMOTION_READ)).handler(w.promotions()::get);
    router.post(V1 + "/promotions/:id/cancel").handler(w.guard().require(PROMOTION_UPDATE)).handler(w.promotions()::cancel);
    router.post(V1 + "/promotions/:id/approve").handler(w.guard().require(PROMOTION_APPROVE)).handler(w.promotions()::approve);
    router.post(V1 + "/promotions/:id/reject").handler(w.guard().require(PROMOTION_APPROVE)).handler(w.promotions()::reject);
    router.get(V1 + "/deployments").handler(w.guard().require(DEPLOYMENT_READ)).handler(w.promotions()::deployments);
    router.get(V1 + "/deployments/:jobId").handler(w.guard().require(DEPLOYMENT_READ)).handler(w.promotions()::deployment);
    router.post(V1 + "/deployments/:jobId/rollback").handler(w.guard().require(DEPLOYMENT_UPDATE)).handler(w.promotions()::rollback);
    // Deploy targets prove themselves with the job's callback token, not a bearer token of an account.
    router.post(V1 + "/deployments/:jobId/callback").handler(w.promotions()::callback);

    router.post(V1 + "/event-subscriptions").handler(w.guard().require(EVENT_SUBSCRIPTION_CREATE)).handler(w.subscriptions()::create);
    router.get(V1 + "/event-subscriptions").handler(w.guard().require(EVENT_SUBSCRIPTION_READ)).handler(w.subscriptions()::list);
    router.delete(V1 + "/event-subscriptions/:id").handler(w.guard().require(EVENT_SUBSCRIPTION_DELETE)).handler(w.subscriptions()::delete);
    router.get(V1 + "/event-subscriptions/:id/deliveries").handler(w.guard().require(EVENT_SUBSCRIPTION_READ)).handler(w.subscriptions()::deliveries);

    router.get(V1 + "/webhook-deliveries").handler(w.guard().require(INTEGRATION_READ)).handler(w.deliveryRoutes()::list);
    router.get(V1 + "/webhook-deliveries/:id").handler(w.guard().require(INTEGRATION_READ)).handler(w.deliveryRoutes()::get);
    router.post(V1 + "/webhook-deliveries/:id/replay").handler(w.guard().require(INTEGRATION_UPDATE)).handler(w.deliveryRoutes()::replay);

    router.route().failureHandler(failures);
    router.errorHandler(404, failures);
    router.errorHandler(405, failures);
    return router;
  }

  /** "METHOD /path" for every route with a path and methods, path parameters written {name}. */
  static List<String> describe(Router router) {
    List<String> routes = new ArrayList<>();
    for (Route route : router.getRoutes()) {
      if (route.getPath() == null || route.methods() == null) {
        continue;
      }
      String path = route.getPath().replaceAll(":([A-Za-z]+)", "{$1}");
      route.methods().forEach(m -> routes.add(m.name() + " " + path));
    }
    return routes;
  }

  /** Stops accepting connections and lets in-flight requests finish, up to the configured timeout. */
  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture()
        : server.shutdown(config.shutdownTimeoutSeconds(), TimeUnit.SECONDS);
  }
}
