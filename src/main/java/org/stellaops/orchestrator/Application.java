package org.stellaops.orchestrator;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.SecretKey;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stellaops.orchestrator.auth.AdminBootstrap;
import org.stellaops.orchestrator.auth.Authenticator;
import org.stellaops.orchestrator.auth.Guard;
import org.stellaops.orchestrator.auth.JwtVerifier;
import org.stellaops.orchestrator.auth.ServiceAccountRepository;
import org.stellaops.orchestrator.auth.ServiceAccountRoutes;
import org.stellaops.orchestrator.auth.ServiceAccountService;
import org.stellaops.orchestrator.ci.ConnectivityCheckRoutes;
import org.stellaops.orchestrator.ci.Connectors;
import org.stellaops.orchestrator.citrust.CiTokens;
import org.stellaops.orchestrator.citrust.CiTrustPolicyRepository;
import org.stellaops.orchestrator.citrust.CiTrustPolicyRoutes;
import org.stellaops.orchestrator.citrust.CiTrustPolicyService;
import org.stellaops.orchestrator.citrust.IssuerKeys;
import org.stellaops.orchestrator.ci.PipelineRunRepository;
import org.stellaops.orchestrator.ci.PipelineRunRoutes;
import org.stellaops.orchestrator.ci.PipelineRunService;
import org.stellaops.orchestrator.crypto.CredentialCipher;
import org.stellaops.orchestrator.crypto.MasterKey;
import org.stellaops.orchestrator.crypto.MasterKeyCheck;
import org.stellaops.orchestrator.housekeeping.Housekeeping;
import org.stellaops.orchestrator.housekeeping.Retention;
import org.stellaops.orchestrator.scheduler.PollMetrics;
import org.stellaops.orchestrator.scheduler.Poller;
import org.stellaops.orchestrator.scheduler.SchedulerVerticle;
import org.stellaops.orchestrator.egress.Egress;
import org.stellaops.orchestrator.egress.EgressPolicy;
import org.stellaops.orchestrator.integration.IntegrationRepository;
import org.stellaops.orchestrator.integration.IntegrationRoutes;
import org.stellaops.orchestrator.integration.IntegrationService;
import org.stellaops.orchestrator.webhook.DeliveryRepository;
import org.stellaops.orchestrator.webhook.DeliveryRoutes;
import org.stellaops.orchestrator.webhook.EventApplier;
import org.stellaops.orchestrator.webhook.InboxLog;
import org.stellaops.orchestrator.webhook.InboxProcessor;
import org.stellaops.orchestrator.webhook.InboxWriter;
import org.stellaops.orchestrator.webhook.WebhookRoutes;
import org.stellaops.orchestrator.webhook.RegistryClient;
import org.stellaops.orchestrator.webhook.WebhookIngest;
import org.stellaops.orchestrator.webhook.WebhookMetrics;
import org.stellaops.orchestrator.workflow.EnvironmentRepository;
import org.stellaops.orchestrator.workflow.EnvironmentRoutes;
import org.stellaops.orchestrator.workflow.EnvironmentService;
import org.stellaops.orchestrator.workflow.PromotionEngine;
import org.stellaops.orchestrator.workflow.PromotionRepository;
import org.stellaops.orchestrator.workflow.PromotionRoutes;
import org.stellaops.orchestrator.workflow.StepSecrets;
import org.stellaops.orchestrator.workflow.WorkflowVerticle;
import org.stellaops.orchestrator.reporting.StatusReportRepository;
import org.stellaops.orchestrator.reporting.StatusReports;
import org.stellaops.orchestrator.reporting.EventSubscriptionRepository;
import org.stellaops.orchestrator.reporting.EventSubscriptions;
import org.stellaops.orchestrator.platform.AppConfig;
import org.stellaops.orchestrator.platform.Clustering;
import org.stellaops.orchestrator.platform.DataDirectory;
import org.stellaops.orchestrator.platform.Database;
import org.stellaops.orchestrator.platform.EventOutbox;
import org.stellaops.orchestrator.platform.Health;
import org.stellaops.orchestrator.platform.Idempotency;
import org.stellaops.orchestrator.platform.Metrics;
import org.stellaops.orchestrator.platform.OpenApi;
import org.stellaops.orchestrator.platform.ContractValidation;
import org.stellaops.orchestrator.reporting.EventSubscriptionRoutes;
import org.stellaops.orchestrator.release.Component;
import org.stellaops.orchestrator.release.ComponentRepository;
import org.stellaops.orchestrator.release.ComponentRoutes;
import org.stellaops.orchestrator.release.ComponentService;
import org.stellaops.orchestrator.release.ReleaseRepository;
import org.stellaops.orchestrator.release.ReleaseRoutes;
import org.stellaops.orchestrator.release.ReleaseService;
import org.stellaops.orchestrator.release.VersionMapRoutes;
import org.stellaops.orchestrator.release.VersionMapService;
import org.stellaops.orchestrator.release.VersionRepository;

/**
 * Longer than most files because it is the one place the whole object graph is built and the
 * verticles are deployed, in start-up order; kept in one method so that order reads top to bottom.
 *
 * <p>A running gateway. {@link #start} builds every dependency once, in order, and {@link #stop}
 * closes them in reverse: stop accepting and drain requests, close the pool, stop the embedded
 * database, close Vert.x. Blocking steps (embedded PostgreSQL, Flyway) run on worker threads.
 */
public final class Application {

  private static final Logger LOG = LoggerFactory.getLogger(Application.class);

  private final Vertx vertx;
  private final Metrics metrics;
  private final Database database;
  private final Pool pool;
  private final Optional<JwtVerifier> jwt;
  private final IssuerKeys issuerKeys;
  private final List<String> deployments;
  private final int port;
  private final Optional<String> generatedAdminToken;
  private final List<String> routes;

  private Application(Vertx vertx, Metrics metrics, Database database, Pool pool, Optional<JwtVerifier> jwt,
      IssuerKeys issuerKeys, List<String> deployments, int port, Optional<String> generatedAdminToken,
      List<String> routes) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.database = database;
    this.pool = pool;
    this.jwt = jwt;
    this.issuerKeys = issuerKeys;
    this.deployments = deployments;
    this.port = port;
    this.generatedAdminToken = generatedAdminToken;
    this.routes = routes;
  }

  static final int OUTBOUND_CONNECTIONS_PER_HOST = 256;

  public static Future<Application> start(AppConfig config) {
    return start(config, null);
  }

  /**
   * @param resolver how outbound requests resolve names; null for the system resolver (tests map
   *     names to addresses with their own, so no DNS is needed to exercise the egress policy)
   */
  public static Future<Application> start(AppConfig config, Egress.Resolver resolver) {
    Metrics metrics = new Metrics();
    VertxOptions options = new VertxOptions().setMetricsOptions(metrics.vertxOptions());
    var builder = Vertx.builder().withMetrics(new MicrometerMetricsFactory(metrics.registry()));
    if (!config.cluster().enabled()) {
      LOG.info(StartupLines.cluster(config.cluster()));
      return started(builder.with(options).build(), config, metrics, resolver);
    }
    return builder.with(options.setEventBusOptions(Clustering.eventBus(config.cluster())))
        .withClusterManager(Clustering.manager(config.cluster())).buildClustered()
        .onSuccess(v -> LOG.info(StartupLines.cluster(config.cluster())))
        .compose(vertx -> started(vertx, config, metrics, resolver));
  }

  private static Future<Application> started(Vertx vertx, AppConfig config, Metrics metrics,
      Egress.Resolver resolver) {
    return vertx.executeBlocking(() -> {
          if (config.db().url().isEmpty() || config.masterKey().isEmpty()) {
            // The embedded database or a generated master key lives there.
            DataDirectory.prepare(config.dataDir());
          }
          Database db = Database.start(config);
          try {
            int applied = db.migrate();
            LOG.info(StartupLines.database(db.describe(), config.db().poolSize(), applied));
            return new Started(db, MasterKey.load(config.masterKey(), config.dataDir()));
          } catch (RuntimeException e) {
            db.close();
            throw e;
          }
        })
        .compose(started -> wire(vertx, config, metrics, started.db(), started.masterKey(),
            resolver != null ? resolver : Egress.Resolver.system(vertx)))
        .recover(e -> {
          // Report the failure now; chaining on vertx.close() would run on a closing event loop.
          closeInBackground(vertx, metrics, null);
          return Future.failedFuture(e);
        });
  }

  /** What the blocking start-up steps produce. */
  private record Started(Database db, SecretKey masterKey) {}

  private static Future<Application> wire(Vertx vertx, AppConfig config, Metrics metrics, Database db,
      SecretKey masterKey, Egress.Resolver resolver) {
    Pool pool = db.pool(vertx, config.db().poolSize());
    // Up to 256 connections per host (Vert.x's default is 5): the poller keeps up to
    // scheduler.maxConcurrentPolls (or an integration's maxConcurrentPolls) requests in flight
    // to one CI server, and with 5 connections the rest queued in the client (bench/poll-scale.md).
    // Every outbound request goes through this one client, and so through the egress policy.
    EgressPolicy egress = new EgressPolicy(config.egress().allowedNetworks());
    WebClient webClient = new Egress(egress, resolver).webClient(vertx,
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(OUTBOUND_CONNECTIONS_PER_HOST));
    ServiceAccountRepository accounts = new ServiceAccountRepository(pool);
    Optional<JwtVerifier> jwt = config.jwt().enabled()
        ? Optional.of(new JwtVerifier(vertx, config.jwt(), webClient))
        : Optional.empty();
    Future<Void> jwtReady = jwt.map(JwtVerifier::start).orElse(Future.succeededFuture());
    IssuerKeys issuerKeys = new IssuerKeys(vertx, webClient, config.ciTrust());
    issuerKeys.start();
    OpenApi openApi = new OpenApi();
    Future<ContractValidation> contractReady = ContractValidation.load(vertx, openApi.document());
    // The master key is checked before anything can encrypt or decrypt with it.
    return new MasterKeyCheck(pool, masterKey).verify()
        .compose(checked -> Future.all(jwtReady, contractReady))
        .compose(v -> new AdminBootstrap(accounts).ensure(config.adminToken())).compose(admin -> {
      ContractValidation contract = contractReady.result();
      admin.generatedToken().ifPresent(Application::announce);
      LOG.info(StartupLines.auth(config, admin.generatedToken().isPresent()));
      LOG.info(StartupLines.outbound(config.egress(), OUTBOUND_CONNECTIONS_PER_HOST));
      ComponentRepository componentRepository = new ComponentRepository(pool);
      VersionRepository versionRepository = new VersionRepository(pool);
      ComponentService components = new ComponentService(componentRepository);
      VersionMapService versionMap = new VersionMapService(components, versionRepository);
      // Subscriber events are written by the transactions of the changes they report.
      EventOutbox outbox = new EventOutbox();
      ReleaseService releases = new ReleaseService(new ReleaseRepository(pool), componentRepository,
          versionRepository, vertx.eventBus(), metrics.releasesCreated(), outbox);
      IntegrationService integrations = new IntegrationService(new IntegrationRepository(pool),
          new CredentialCipher(masterKey), vertx.eventBus(), egress, metrics.registry());
      integrations.listenForChanges();
      WebhookMetrics webhookMetrics = new WebhookMetrics(metrics.registry());
      Connectors connectors = new Connectors(webClient, Clock.systemUTC());
      PipelineRunRepository pipelineRunRepository = new PipelineRunRepository(pool);
      PipelineRunService pipelineRuns = new PipelineRunService(pipelineRunRepository, integrations, connectors,
          vertx.eventBus(), metrics.registry(), outbox);
      DeliveryRepository deliveries = new DeliveryRepository(pool);
      StepSecrets stepSecrets = new StepSecrets(new CredentialCipher(masterKey));
      EnvironmentService environments = new EnvironmentService(new EnvironmentRepository(pool), integrations,
          stepSecrets, egress);
      PromotionRepository promotionRepository = new PromotionRepository(pool);
      StatusReports statusReports = new StatusReports(new StatusReportRepository(pool), integrations, webClient,
          config.http().publicUrl(), metrics.registry());
      EventSubscriptions subscriptions = new EventSubscriptions(new EventSubscriptionRepository(pool),
          new CredentialCipher(masterKey), webClient);
      PromotionEngine promotionEngine = new PromotionEngine(promotionRepository, environments, releases, pipelineRuns,
          statusReports, webClient, vertx.eventBus(), stepSecrets, config.http().publicUrl(), metrics.registry(),
          outbox);
      // One writer for the process, on its own event loop (deployed before the HTTP verticles):
      // its pool is made in its start(), so the commit round trips stay on that loop.
      InboxWriter inboxWriter = new InboxWriter(() -> db.pool(vertx, InboxWriter.MAX_IN_FLIGHT),
          config.inbox().maxQueued(), () -> vertx.eventBus().send(WebhookRoutes.WAKE_PROCESSOR, null));
      Idempotency idempotency = new Idempotency(pool);
      CiTrustPolicyRepository ciTrustPolicies = new CiTrustPolicyRepository(pool);
      Retention retention = new Retention(pool, config.retention(), metrics.registry());
      Wiring wiring = new Wiring(
          new Health(pool),
          metrics,
          openApi,
          contract,
          new Guard(new Authenticator(accounts, admin.hash(), jwt, new CiTokens(ciTrustPolicies, issuerKeys))),
          new ServiceAccountRoutes(new ServiceAccountService(accounts)),
          new CiTrustPolicyRoutes(new CiTrustPolicyService(ciTrustPolicies, ids -> componentRepository
                  .findByIdsOrNames(ids, List.of())
                  .map(found -> found.stream().map(Component::id).collect(Collectors.toSet()))),
              egress, config.jwt().issuer()),
          new ComponentRoutes(components),
          new VersionMapRoutes(versionMap),
          new ReleaseRoutes(releases, idempotency),
          new IntegrationRoutes(integrations, egress),
          new ConnectivityCheckRoutes(integrations, connectors),
          new WebhookIngest(integrations, webhookMetrics),
          inboxWriter,
          new DeliveryRoutes(deliveries, vertx.eventBus(), config.retention().deliveries()),
          new PipelineRunRoutes(pipelineRuns),
          new EnvironmentRoutes(environments),
          new PromotionRoutes(promotionEngine),
          new EventSubscriptionRoutes(subscriptions, egress));
      InboxProcessor processor = new InboxProcessor(deliveries, new InboxLog(pool), versionRepository, integrations,
          new EventApplier(componentRepository, releases, new RegistryClient(webClient), pipelineRuns,
              vertx.eventBus()),
          webhookMetrics, config.inbox().leaseSeconds(), outbox);
      int instances = config.http().instances() > 0
          ? config.http().instances() : Runtime.getRuntime().availableProcessors();
      // A negative port makes Vert.x pick one free port and share it across all instances.
      int bindPort = config.http().port() == 0 ? -1 : config.http().port();
      AtomicInteger actualPort = new AtomicInteger();
      AtomicReference<List<String>> routes = new AtomicReference<>(List.of());
      List<String> deployments = new ArrayList<>();
      SchedulerVerticle scheduler = new SchedulerVerticle(db, new Poller(pipelineRunRepository, pipelineRuns,
          integrations, connectors, new PollMetrics(metrics.registry()), Clock.systemUTC(),
          config.scheduler().batchSize(), config.scheduler().maxConcurrentPolls()), config.scheduler().tickMillis());
      return vertx.deployVerticle(processor)
          .onSuccess(deployments::add)
          // Promotions listen for ci.run.completed before the scheduler can publish one.
          .compose(processorId -> vertx.deployVerticle(new WorkflowVerticle(promotionEngine, statusReports, subscriptions,
              config.outbox().send())))
          .onSuccess(deployments::add)
          .onSuccess(id -> LOG.info(StartupLines.workflows(config.outbox().send())))
          .compose(workflowId -> vertx.deployVerticle(scheduler))
          .onSuccess(deployments::add)
          .onSuccess(id -> LOG.info(StartupLines.scheduler(config.scheduler())))
          .compose(schedulerId -> vertx.deployVerticle(inboxWriter))
          .onSuccess(deployments::add)
          .onSuccess(id -> LOG.info(StartupLines.inbox(config.inbox())))
          .compose(writerId -> vertx.deployVerticle(new Housekeeping(idempotency, retention)))
          .onSuccess(deployments::add)
          .compose(housekeepingId -> vertx.deployVerticle(
              () -> new ApiVerticle(config.http(), bindPort, wiring, (boundPort, router) -> {
                actualPort.set(boundPort);
                routes.set(ApiVerticle.describe(router));
              }),
              new DeploymentOptions().setInstances(instances)))
          .map(id -> {
            deployments.add(id);
            LOG.info(StartupLines.http(config.http(), actualPort.get(), instances));
            return new Application(vertx, metrics, db, pool, jwt, issuerKeys, deployments, actualPort.get(),
                admin.generatedToken(), routes.get());
          });
    }).recover(e -> pool.close()
        .eventually(() -> vertx.executeBlocking(() -> {
          db.close();
          return null;
        }))
        .transform(x -> Future.failedFuture(e)));
  }

  /**
   * The one time a generated admin token exists in clear: printed to standard output (not the
   * log, whose lines may be shipped elsewhere), never stored, never printed again.
   */
  private static void announce(String token) {
    System.out.println("""

        ==================================================================
         No STELLA_ADMIN_TOKEN was set, so an admin token was generated.
         It is shown only this once and stored only as a hash:

           %s

         Keep it secret; set STELLA_ADMIN_TOKEN to replace it.
        ==================================================================
        """.formatted(token));
  }

  public Future<Void> stop() {
    Promise<Void> stopped = Promise.promise();
    Future<Void> undeployed = Future.succeededFuture();
    // The HTTP verticles first (stop accepting, drain), then the inbox processor.
    List<String> newestFirst = new ArrayList<>(deployments);
    java.util.Collections.reverse(newestFirst);
    for (String id : newestFirst) {
      undeployed = undeployed.compose(v -> vertx.undeploy(id));
    }
    undeployed
        .eventually(() -> {
          jwt.ifPresent(JwtVerifier::stop);
          issuerKeys.stop();
          return pool.close();
        })
        .eventually(() -> vertx.executeBlocking(() -> {
          database.close();
          return null;
        }))
        .onComplete(v -> closeInBackground(vertx, metrics, stopped));
    return stopped.future();
  }

  /**
   * Closes Vert.x from a plain thread: a listener registered from one of its own event loops
   * would be dispatched to a loop that is shutting down, and never run.
   */
  private static void closeInBackground(Vertx vertx, Metrics metrics, Promise<Void> done) {
    Thread closer = new Thread(() -> vertx.close().onComplete(v -> {
      metrics.close();
      LOG.info("gateway stopped");
      if (done != null) {
        done.complete();
      }
    }), "stella-close");
    closer.start();
  }

  public int port() {
    return port;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** "METHOD /path" of every route served, as {@link ApiVerticle#describe} lists them. */
  public List<String> routes() {
    return routes;
  }

  /** The admin token generated at this start, if one was (tests use it; operators read stdout). */
  public Optional<String> generatedAdminToken() {
    return generatedAdminToken;
  }
}
