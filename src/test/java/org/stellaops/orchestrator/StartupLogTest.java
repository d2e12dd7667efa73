package org.stellaops.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.platform.AppConfig;
import org.stellaops.orchestrator.support.LogCapture;
import org.stellaops.orchestrator.support.TestGateway;

/**
 * What the gateway logs while it starts: one INFO line per subsystem with the settings it runs
 * with, nothing a library says that needs no action (logback-loggers.xml, which the tests' logback
 * configuration includes too), and no warning on a healthy start.
 */
class StartupLogTest {

  /** The subsystems' lines, in start order. */
  private static final List<String> SUBSYSTEMS = List.of("cluster:", "database:", "auth:", "outbound HTTP:",
      "workflows:", "scheduler:", "webhook inbox:", "HTTP server:");

  @Test
  @DisplayName("a start logs one INFO line per subsystem with its settings, no warning (none from Micrometer "
      + "about gauges), and no database password")
  void oneLinePerSubsystem() {
    List<ILoggingEvent> events;
    TestGateway started;
    try (LogCapture logs = new LogCapture()) {
      started = TestGateway.start();
      events = logs.events();
    }
    try (TestGateway gw = started) {
      List<String> lines = gatewayInfoLines(events);
      for (String subsystem : SUBSYSTEMS) {
        assertThat(lines.stream().filter(l -> l.startsWith(subsystem))).as("lines starting with '%s' in %s",
            subsystem, lines).hasSize(1);
      }
      assertThat(lines.stream().filter(l -> SUBSYSTEMS.stream().anyMatch(l::startsWith)))
          .as("subsystem lines in start order").containsExactlyElementsOf(SUBSYSTEMS.stream()
              .map(s -> lines.stream().filter(l -> l.startsWith(s)).findFirst().orElseThrow()).toList());
      assertThat(lines).contains(
          "cluster: off (one replica per database; STELLA_CLUSTER=true clusters the event bus)",
          "workflows: promotions, deployment status reports to GitHub/GitLab and event subscriptions running",
          "scheduler: polling tick every 1000 ms (Quartz, clustered JDBC store, 1 thread), up to 500 due waits "
              + "claimed per query, 32 polls in flight per integration",
          "webhook inbox: processor on, batches of 512, idle limit 30 s; up to 8192 deliveries waiting for their commit, "
              + "then 503",
          "auth: admin token from STELLA_ADMIN_TOKEN, service-account tokens, no JWTs, CI ID tokens through ci-trust-policies",
          "outbound HTTP: up to 256 connections per host, loopback, link-local and metadata addresses denied, "
              + "exempt networks: 127.0.0.0/8,0:0:0:0:0:0:0:1/128",
          "HTTP server: listening on port " + gw.app().port() + ", plain HTTP (terminate TLS in front of it), body "
              + "limit 1048576 bytes, idle timeout 75 s, 2 event-loop instances, public URL http://localhost:8080, "
              + "/metrics and /health on the same port");
      URI db = URI.create(gw.dbUrl());
      String password = db.getUserInfo().split(":", 2)[1];
      assertThat(lines).contains("database: PostgreSQL at " + db.getHost() + ":" + db.getPort() + db.getPath()
          + ", pool of 16 connections, schema current (0 migrations applied now)");
      assertThat(events).noneMatch(e -> e.getFormattedMessage().contains(password));

      assertThat(events).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
          .extracting(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).as("warnings while starting")
          .isEmpty();
      // Micrometer warns about a double registration once per JVM, so an earlier test class may
      // have drawn it already: the level is checked too.
      assertThat(org.slf4j.LoggerFactory.getLogger("io.micrometer.core.instrument.MeterRegistry").isWarnEnabled())
          .as("Micrometer's double-registration warning enabled").isFalse();
    }
  }

  @Test
  @DisplayName("a replica whose outbox workers are off says that it queues reports and events without sending them")
  void outboxOffIsSaid() {
    assertThat(StartupLines.workflows(false)).isEqualTo("workflows: promotions running; deployment status reports "
        + "and subscriber events are queued, not sent by this replica (outbox.send=false)");
  }

  @Test
  @DisplayName("a clustered start logs its cluster settings and Hazelcast's membership, without Hazelcast's logo, "
      + "banners, Jet advice or CP Subsystem warning")
  void clusteredStartIsQuiet() throws Exception {
    int port;
    int busPort;
    try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
      port = a.getLocalPort();
      busPort = b.getLocalPort();
    }
    AppConfig.Cluster cluster = new AppConfig.Cluster(true, List.of("127.0.0.1:" + port), "127.0.0.1", port, busPort,
        Optional.empty());
    List<ILoggingEvent> events;
    TestGateway started;
    try (LogCapture logs = new LogCapture()) {
      started = TestGateway.start(c -> c.withCluster(cluster));
      events = logs.events();
    }
    try (TestGateway gw = started) {
      assertThat(gatewayInfoLines(events)).filteredOn(l -> l.startsWith("cluster:")).containsExactly(
          "cluster: on, Hazelcast on 127.0.0.1 port " + port + ", event bus port " + busPort + ", peers 127.0.0.1:"
              + port);
      List<ILoggingEvent> hazelcast = events.stream().filter(e -> e.getLoggerName().startsWith("com.hazelcast")).toList();
      assertThat(hazelcast).extracting(ILoggingEvent::getLoggerName).as("Hazelcast loggers heard")
          .containsOnly("com.hazelcast.internal.cluster.ClusterService");
      assertThat(hazelcast).extracting(ILoggingEvent::getFormattedMessage)
          .anySatisfy(m -> assertThat(m).contains("Members {size:1"));
      assertThat(events).extracting(ILoggingEvent::getFormattedMessage)
          .noneMatch(m -> m.contains("Jet") || m.contains("CP Subsystem") || m.contains("Copyright"));
      assertThat(events).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
          .extracting(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).as("warnings while starting")
          .isEmpty();
    }
  }

  /** The gateway's own INFO lines (org.stellaops.*), in order. */
  private static List<String> gatewayInfoLines(List<ILoggingEvent> events) {
    return events.stream().filter(e -> e.getLevel() == Level.INFO && e.getLoggerName().startsWith("org.stellaops."))
        .map(ILoggingEvent::getFormattedMessage).toList();
  }
}
