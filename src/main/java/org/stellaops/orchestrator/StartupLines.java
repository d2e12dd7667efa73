package org.stellaops.orchestrator;

import java.util.stream.Collectors;
import org.stellaops.orchestrator.platform.AppConfig;
import org.stellaops.orchestrator.scheduler.SchedulerVerticle;
import org.stellaops.orchestrator.webhook.InboxProcessor;

/**
 * The one INFO line each subsystem logs when it has started, naming the settings it runs with,
 * so an operator reads the whole configuration in force off the start-up log. Each line starts
 * with its subsystem's name and a colon. Never a secret: the database's location without its
 * password, whether an admin token was set or generated but not the token.
 */
final class StartupLines {

  private StartupLines() {}

  static String cluster(AppConfig.Cluster c) {
    if (!c.enabled()) {
      return "cluster: off (one replica per database; STELLA_CLUSTER=true clusters the event bus)";
    }
    String peers = c.kubernetesService().map(s -> "peers from the DNS of Kubernetes service " + s)
        .orElse("peers " + String.join(",", c.members()));
    return "cluster: on, Hazelcast on " + (c.host().isEmpty() ? "an address it picks" : c.host()) + " port "
        + c.port() + ", event bus port " + c.busPort() + ", " + peers;
  }

  static String database(String where, int poolSize, int migrationsApplied) {
    return "database: " + where + ", pool of " + poolSize + " connections, schema current (" + migrationsApplied
        + " migrations applied now)";
  }

  static String auth(AppConfig config, boolean adminTokenGenerated) {
    String admin = config.adminToken().isPresent() ? "from STELLA_ADMIN_TOKEN"
        : adminTokenGenerated ? "generated (printed once to standard output)" : "the one generated at an earlier start";
    AppConfig.Jwt jwt = config.jwt();
    String jwts = jwt.enabled()
        ? "JWTs from " + jwt.issuer().orElseThrow() + " (" + jwt.algorithm() + ", audience "
            + jwt.audience().orElse("not checked") + ", roles from " + jwt.rolesClaim() + ")"
        : "no JWTs";
    return "auth: admin token " + admin + ", service-account tokens, " + jwts + ", CI ID tokens through ci-trust-policies";
  }

  static String outbound(AppConfig.Egress egress, int connectionsPerHost) {
    String allowed = egress.allowedNetworks().isEmpty() ? "none"
        : egress.allowedNetworks().stream().map(Object::toString).collect(Collectors.joining(","));
    return "outbound HTTP: up to " + connectionsPerHost + " connections per host, loopback, link-local and "
        + "metadata addresses denied, exempt networks: " + allowed;
  }

  static String inbox(AppConfig.Inbox inbox) {
    return "webhook inbox: processor on, batches of " + InboxProcessor.BATCH + ", idle limit " + inbox.leaseSeconds()
        + " s; up to " + inbox.maxQueued() + " deliveries waiting for their commit, then 503";
  }

  static String scheduler(AppConfig.Scheduler s) {
    return "scheduler: polling tick every " + s.tickMillis() + " ms (Quartz, clustered JDBC store, "
        + SchedulerVerticle.QUARTZ_THREADS + " thread), "
        + "up to " + s.batchSize() + " due waits claimed per query, " + s.maxConcurrentPolls()
        + " polls in flight per integration";
  }

  static String workflows(boolean outboxSend) {
    return outboxSend
        ? "workflows: promotions, deployment status reports to GitHub/GitLab and event subscriptions running"
        : "workflows: promotions running; deployment status reports and subscriber events are queued, not sent "
            + "by this replica (outbox.send=false)";
  }

  static String http(AppConfig.Http http, int port, int instances) {
    return "HTTP server: listening on port " + port + ", plain HTTP (terminate TLS in front of it), body limit "
        + http.bodyLimit() + " bytes, idle timeout " + http.idleTimeoutSeconds() + " s, " + instances
        + " event-loop instances, public URL " + http.publicUrl() + ", /metrics and /health on the same port";
  }
}
