package org.stellaops.orchestrator;

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.PATCH;
import static io.vertx.core.http.HttpMethod.POST;
import static org.stellaops.orchestrator.auth.Permission.CI_EVENT_CREATE;
import static org.stellaops.orchestrator.auth.Permission.CI_TRUST_POLICY_CREATE;
import static org.stellaops.orchestrator.auth.Permission.CI_TRUST_POLICY_DELETE;
import static org.stellaops.orchestrator.auth.Permission.CI_TRUST_POLICY_READ;
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
import io.vertx.core.http.HttpMethod;
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
import org.stellaops.orchestrator.auth.Permission;
import org.stellaops.orchestrator.platform.AppConfig;
import org.stellaops.orchestrator.platform.FailureHandler;
import org.stellaops.orchestrator.platform.InvalidRequests;
import org.stellaops.orchestrator.platform.MalformedUrls;
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
  // Set by routes() for the route helpers guarded() and open().
  private Router router;
  private BodyHandler body;

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
    server = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(port)
            .setIdleTimeout(config.idleTimeoutSeconds()).setIdleTimeoutUnit(TimeUnit.SECONDS)
            .setMaxInitialLineLength(InvalidRequests.MAX_REQUEST_LINE_BYTES)
            .setMaxHeaderSize(InvalidRequests.MAX_HEADER_BYTES))
        .invalidRequestHandler(new InvalidRequests())
        .requestHandler(router);
    return server.listen().onSuccess(s -> onListening.accept(s.actualPort(), router));
  }

  /**
   * A route for bearer-token callers: the token is checked (401/403) before a byte of the body
   * is read, so unauthenticated traffic cannot make the gateway buffer bodies; then the body is
   * read, up to {@code http.bodyLimit}, and the request is checked against its operation in
   * openapi.yaml (400 {@code VALIDATION_FAILED}) before the route's handler sees it.
   */
  private Route guarded(HttpMethod method, String path, Permission permission) {
    // Vert.x Web refuses a BodyHandler after a plain handler on one route, because a handler
    // that goes asynchronous before the body is read could lose body chunks. The guard pauses
    // the request first, and the body handler resumes it, so the order is safe; calling it
    // through a method reference states that deliberately.
    return router.route(method, path).handler(w.guard().require(permission)).handler(body::handle)
        .handler(w.contract().forRoute(method, path));
  }

  /**
   * A route whose caller proves itself from the body or something only the body can be checked
   * against (a webhook's signature over the raw bytes, a deploy callback's job token): the body
   * is read first, still bounded by {@code http.bodyLimit}.
   */
  private Route open(HttpMethod method, String path) {
    return router.route(method, path).handler(body);
  }

  /** The route table: one line per endpoint, the permission it needs, the handler. */
  Router routes(Router router) {
    this.router = router;
    this.body = BodyHandler.create().setBodyLimit(config.bodyLimit()).setHandleFileUploads(false);
    FailureHandler failures = new FailureHandler();
    WebhookRoutes webhooks = new WebhookRoutes(w.webhookIngest(), w.inboxWriter());
    Handler<RoutingContext> countOversize = ctx -> WebhookRoutes.countOversize(ctx, w.webhookIngest().metrics());
    router.route().handler(new RequestIds(config.accessLog()));
    // A NUL first, so the answer names the parameter; then any other control or broken escape.
    router.route().handler(TextSafety.requestLine(router));
    router.route().handler(new MalformedUrls());

    router.get("/health/live").handler(w.health()::live);
    router.get("/health/ready").handler(w.health()::ready);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(w.metrics().registry()));
    router.get(V1 + "/openapi.yaml").handler(w.openApi()::serve);

    guarded(POST, V1 + "/service-accounts", SERVICE_ACCOUNT_CREATE).handler(w.serviceAccounts()::create);
    guarded(GET, V1 + "/service-accounts", SERVICE_ACCOUNT_READ).handler(w.serviceAccounts()::list);
    guarded(GET, V1 + "/service-accounts/:id", SERVICE_ACCOUNT_READ).handler(w.serviceAccounts()::get);
    guarded(DELETE, V1 + "/service-accounts/:id", SERVICE_ACCOUNT_DELETE).handler(w.serviceAccounts()::revoke);

    guarded(POST, V1 + "/ci-trust-policies", CI_TRUST_POLICY_CREATE).handler(w.ciTrustPolicies()::create);
    guarded(GET, V1 + "/ci-trust-policies", CI_TRUST_POLICY_READ).handler(w.ciTrustPolicies()::list);
    guarded(GET, V1 + "/ci-trust-policies/:id", CI_TRUST_POLICY_READ).handler(w.ciTrustPolicies()::get);
    guarded(DELETE, V1 + "/ci-trust-policies/:id", CI_TRUST_POLICY_DELETE).handler(w.ciTrustPolicies()::delete);

    guarded(POST, V1 + "/components", COMPONENT_CREATE).handler(w.components()::create);
    guarded(GET, V1 + "/components", COMPONENT_READ).handler(w.components()::list);
    guarded(GET, V1 + "/components/:id", COMPONENT_READ).handler(w.components()::get);
    guarded(PATCH, V1 + "/components/:id", COMPONENT_UPDATE).handler(w.components()::update);
    guarded(DELETE, V1 + "/components/:id", COMPONENT_DELETE).handler(w.components()::delete);

    guarded(GET, V1 + "/components/:id/versions", VERSION_MAP_READ).handler(w.versions()::list);
    guarded(POST, V1 + "/components/:id/versions", VERSION_MAP_CREATE).handler(w.versions()::record);
    guarded(GET, V1 + "/components/:id/versions/:tag/history", VERSION_MAP_READ).handler(w.versions()::history);

    guarded(POST, V1 + "/releases", RELEASE_CREATE).handler(w.releases()::create);
    guarded(GET, V1 + "/releases", RELEASE_READ).handler(w.releases()::list);
    guarded(GET, V1 + "/releases/by-name/*", RELEASE_READ).handler(w.releases()::getByName);
    guarded(GET, V1 + "/releases/:id", RELEASE_READ).handler(w.releases()::get);

    guarded(POST, V1 + "/integrations", INTEGRATION_CREATE).handler(w.integrations()::create);
    guarded(GET, V1 + "/integrations", INTEGRATION_READ).handler(w.integrations()::list);
    guarded(GET, V1 + "/integrations/:id", INTEGRATION_READ).handler(w.integrations()::get);
    guarded(PATCH, V1 + "/integrations/:id", INTEGRATION_UPDATE).handler(w.integrations()::update);
    guarded(DELETE, V1 + "/integrations/:id", INTEGRATION_DELETE).handler(w.integrations()::delete);

    // Vendor webhooks prove themselves with the integration's secret, not a bearer token.
    open(POST, V1 + "/webhooks/registry/:integrationId").handler(webhooks::registry).failureHandler(countOversize);
    open(POST, V1 + "/webhooks/ci/:integrationId").handler(webhooks::ci).failureHandler(countOversize);
    guarded(POST, V1 + "/webhooks/ci-status", CI_EVENT_CREATE).handler(webhooks::ciStatus);
    guarded(POST, V1 + "/ci-events/build-complete", CI_EVENT_CREATE).handler(webhooks::buildComplete);
    guarded(POST, V1 + "/integrations/:id/test", INTEGRATION_UPDATE).handler(w.integrationChecks()::test);

    guarded(POST, V1 + "/pipeline-runs", PIPELINE_RUN_CREATE).handler(w.pipelineRuns()::trigger);
    guarded(POST, V1 + "/pipeline-runs/watch", PIPELINE_RUN_CREATE).handler(w.pipelineRuns()::watch);
    guarded(GET, V1 + "/pipeline-runs", PIPELINE_RUN_READ).handler(w.pipelineRuns()::list);
    guarded(GET, V1 + "/pipeline-runs/:id", PIPELINE_RUN_READ).handler(w.pipelineRuns()::get);
    guarded(POST, V1 + "/pipeline-runs/:id/cancel", PIPELINE_RUN_UPDATE).handler(w.pipelineRuns()::cancel);

    guarded(POST, V1 + "/environments", ENVIRONMENT_CREATE).handler(w.environments()::create);
    guarded(GET, V1 + "/environments", ENVIRONMENT_READ).handler(w.environments()::list);
    guarded(GET, V1 + "/environments/:id", ENVIRONMENT_READ).handler(w.environments()::get);
    guarded(PATCH, V1 + "/environments/:id", ENVIRONMENT_UPDATE).handler(w.environments()::update);
    guarded(DELETE, V1 + "/environments/:id", ENVIRONMENT_DELETE).handler(w.environments()::delete);

    guarded(POST, V1 + "/promotions", PROMOTION_CREATE).handler(w.promotions()::create);
    guarded(GET, V1 + "/promotions", PROMOTION_READ).handler(w.promotions()::list);
    guarded(GET, V1 + "/promotions/:id", PROMOTION_READ).handler(w.promotions()::get);
    guarded(POST, V1 + "/promotions/:id/cancel", PROMOTION_UPDATE).handler(w.promotions()::cancel);
    guarded(POST, V1 + "/promotions/:id/approve", PROMOTION_APPROVE).handler(w.promotions()::approve);
    guarded(POST, V1 + "/promotions/:id/reject", PROMOTION_APPROVE).handler(w.promotions()::reject);
    guarded(GET, V1 + "/deployments", DEPLOYMENT_READ).handler(w.promotions()::deployments);
    guarded(GET, V1 + "/deployments/:jobId", DEPLOYMENT_READ).handler(w.promotions()::deployment);
    guarded(POST, V1 + "/deployments/:jobId/rollback", DEPLOYMENT_UPDATE).handler(w.promotions()::rollback);
    // Deploy targets prove themselves with the job's callback token, not a bearer token of an account.
    open(POST, V1 + "/deployments/:jobId/callback").handler(w.promotions()::callback);

    guarded(POST, V1 + "/event-subscriptions", EVENT_SUBSCRIPTION_CREATE).handler(w.subscriptions()::create);
    guarded(GET, V1 + "/event-subscriptions", EVENT_SUBSCRIPTION_READ).handler(w.subscriptions()::list);
    guarded(DELETE, V1 + "/event-subscriptions/:id", EVENT_SUBSCRIPTION_DELETE).handler(w.subscriptions()::delete);
    guarded(GET, V1 + "/event-subscriptions/:id/deliveries", EVENT_SUBSCRIPTION_READ).handler(w.subscriptions()::deliveries);

    guarded(GET, V1 + "/webhook-deliveries", INTEGRATION_READ).handler(w.deliveryRoutes()::list);
    guarded(GET, V1 + "/webhook-deliveries/:id", INTEGRATION_READ).handler(w.deliveryRoutes()::get);
    guarded(POST, V1 + "/webhook-deliveries/:id/replay", INTEGRATION_UPDATE).handler(w.deliveryRoutes()::replay);

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
