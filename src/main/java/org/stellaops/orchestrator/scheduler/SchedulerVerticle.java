package org.stellaops.orchestrator.scheduler;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Properties;
import java.util.UUID;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.Scheduler;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.stellaops.orchestrator.ci.PipelineRunService;
import org.stellaops.orchestrator.platform.Database;

/**
 * Starts Quartz on its clustered JDBC job store in the gateway's PostgreSQL and schedules the
 * one polling tick. Whichever replica Quartz picks fires the tick; if a replica dies, the
 * cluster's check-in moves the trigger to a live one. Quartz calls (JDBC) run on worker
 * threads; the tick itself runs on this verticle's event loop, as do the polls CI events ask
 * for ({@link PipelineRunService#POLL_NOW}).
 */
public final class SchedulerVerticle extends VerticleBase {

  /** Quartz's worker threads: the tick job only hands the tick to the poller's event loop. */
  public static final int QUARTZ_THREADS = 1;
  static final String TICK = "poll-tick";

  private final Database database;
  private final Poller poller;
  private final long tickMillis;
  private Scheduler scheduler;

  public SchedulerVerticle(Database database, Poller poller, long tickMillis) {
    this.database = database;
    this.poller = poller;
    this.tickMillis = tickMillis;
  }

  @Override
  public Future<?> start() {
    // CI events ask for a poll of the runs they name; handled on this verticle's event loop, the poller's.
    vertx.eventBus().<JsonObject>localConsumer(PipelineRunService.POLL_NOW, msg -> poller.pollNow(
        UUID.fromString(msg.body().getString("runId")), Instant.parse(msg.body().getString("eventAt"))));
    return vertx.executeBlocking(() -> {
      Scheduler s = new StdSchedulerFactory(properties()).getScheduler();
      s.setJobFactory((bundle, sched) -> new PollTickJob(() -> context.runOnContext(v -> poller.tick())));
      JobDetail job = JobBuilder.newJob(PollTickJob.class).withIdentity(TICK).storeDurably().build();
      Trigger trigger = TriggerBuilder.newTrigger().withIdentity(TICK).forJob(job)
          .withSchedule(SimpleScheduleBuilder.simpleSchedule()
              .withIntervalInMilliseconds(tickMillis)
              .repeatForever()
              // After downtime, fire once and carry on; never replay missed ticks.
              .withMisfireHandlingInstructionNextWithRemainingCount())
          .build();
      // Replacing is safe when several replicas start together: they all store the same tick.
      s.scheduleJob(job, java.util.Set.of(trigger), true);
      s.start();
      return s;
    }).onSuccess(s -> scheduler = s);
  }

  @Override
  public Future<?> stop() {
    Scheduler s = scheduler;
    return s == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
      s.shutdown(true);
      return null;
    });
  }

  /**
   * Quartz settings. The scheduler name is derived from the database so replicas sharing one
   * database form one cluster, and gateways on different databases in one JVM (tests) do not
   * share a scheduler.
   */
  private Properties properties() {
    var opts = database.connectOptions();
    Properties p = new Properties();
    p.setProperty("org.quartz.scheduler.instanceName", "stella-" + opts.getDatabase());
    p.setProperty("org.quartz.scheduler.instanceId", "AUTO");
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.threadPool.threadCount", String.valueOf(QUARTZ_THREADS));
    p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
    p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
    p.setProperty("org.quartz.jobStore.dataSource", "stella");
    p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
    p.setProperty("org.quartz.jobStore.isClustered", "true");
    p.setProperty("org.quartz.jobStore.clusterCheckinInterval", "5000");
    p.setProperty("org.quartz.jobStore.misfireThreshold", "5000");
    p.setProperty("org.quartz.dataSource.stella.provider", "hikaricp");
    p.setProperty("org.quartz.dataSource.stella.driver", "org.postgresql.Driver");
    p.setProperty("org.quartz.dataSource.stella.URL", database.jdbcUrl());
    p.setProperty("org.quartz.dataSource.stella.user", opts.getUser());
    p.setProperty("org.quartz.dataSource.stella.password", opts.getPassword() == null ? "" : opts.getPassword());
    p.setProperty("org.quartz.dataSource.stella.maxConnections", "3");
    return p;
  }
}
