package org.stellaops.orchestrator.platform;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The gateway's typed configuration. Built only by {@link ConfigLoader}, which validates every
 * value, so code holding an AppConfig can trust it.
 */
public record AppConfig(
    Http http,
    Db db,
    Path dataDir,
    Optional<String> adminToken,
    Optional<String> masterKey,
    String logFormat,
    Jwt jwt,
    Inbox inbox,
    Scheduler scheduler,
    Cluster cluster,
    Egress egress,
    CiTrust ciTrust,
    Retention retention,
    Outbox outbox) {

  /**
   * CI identities trusted through OIDC: how often each issuer's discovery document and keys are
   * refreshed, and the least time between two fetches of one issuer's keys caused by tokens
   * naming a key id not seen yet.
   */
  public record CiTrust(int keysRefreshSeconds, int unknownKeyRefetchSeconds) {}

  /**
   * How long finished records are kept before housekeeping deletes them: {@code deliveries} for
   * processed webhook deliveries, event-subscription deliveries and sent status reports;
   * {@code runs} for finished pipeline runs. See {@code housekeeping.Retention}.
   */
  public record Retention(java.time.Duration deliveries, java.time.Duration runs) {}

  /**
   * The outboxes of subscriber events and deployment status reports: {@code send} false stops
   * this replica's workers that send them. Rows are still queued with the changes they report
   * and wait, to be sent by a replica that sends.
   */
  public record Outbox(boolean send) {}

  /**
   * Outbound requests: {@code allowedNetworks} are exempt from the egress deny list (loopback,
   * link-local, cloud metadata, unspecified, multicast); see {@code egress.EgressPolicy}.
   */
  public record Egress(java.util.List<org.stellaops.orchestrator.egress.Cidr> allowedNetworks) {}

  /**
   * Clustered event bus (Hazelcast). {@code members} lists peers as host or host:port (TCP/IP
   * join); {@code kubernetesService} names a headless Service whose DNS records list the peers
   * instead. {@code host} is the address to bind and advertise (empty: Hazelcast picks one).
 * Hazelcast's membership traffic uses {@code port}; event-bus messages between replicas travel
 * on their own TCP connections to {@code busPort}.
   */
  public record Cluster(boolean enabled, java.util.List<String> members, String host, int port, int busPort,
      Optional<String> kubernetesService) {}

  /** The polling tick and its limits. */
  public record Scheduler(int tickMillis, int batchSize, int maxConcurrentPolls) {}

  /** The webhook inbox: processing lease and how many deliveries may wait for the database. */
  public record Inbox(int leaseSeconds, int maxQueued) {}

  /**
   * {@code idleTimeoutSeconds}: a connection with no bytes read or written for this long is closed.
   * {@code accessLog}: one log line per request (logger {@code access}).
   */
  public record Http(int port, String host, long bodyLimit, int shutdownTimeoutSeconds, int instances,
      String publicUrl, int idleTimeoutSeconds, boolean accessLog) {}

  /** {@code url} empty means: run the embedded PostgreSQL under {@code dataDir}. */
  public record Db(Optional<String> url, int poolSize) {}

  public record Jwt(
      Optional<String> issuer,
      Optional<String> audience,
      Optional<String> jwksUrl,
      Optional<String> publicKey,
      String algorithm,
      String rolesClaim,
      String subjectClaim,
      int jwksRefreshSeconds) {

    /**
     * The only signature algorithms a token may use: asymmetric ones, so that the public key the
     * gateway holds can verify but never sign. {@code none} and the HMAC family are never accepted.
     */
    public static final java.util.List<String> ALLOWED_ALGORITHMS = java.util.List.of(
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA");

    public boolean enabled() {
      return issuer.isPresent();
    }
  }

  public AppConfig withHttpPort(int port) {
    return new AppConfig(
        new Http(port, http.host(), http.bodyLimit(), http.shutdownTimeoutSeconds(), http.instances(),
            http.publicUrl(), http.idleTimeoutSeconds(), http.accessLog()),
        db, dataDir, adminToken, masterKey, logFormat, jwt, inbox, scheduler, cluster, egress,
        ciTrust, retention, outbox);
  }

  public AppConfig withHttpIdleTimeoutSeconds(int seconds) {
    return new AppConfig(
        new Http(http.port(), http.host(), http.bodyLimit(), http.shutdownTimeoutSeconds(), http.instances(),
            http.publicUrl(), seconds, http.accessLog()),
        db, dataDir, adminToken, masterKey, logFormat, jwt, inbox, scheduler, cluster, egress,
        ciTrust, retention, outbox);
  }

  public AppConfig withHttpAccessLog(boolean accessLog) {
    return new AppConfig(
        new Http(http.port(), http.host(), http.bodyLimit(), http.shutdownTimeoutSeconds(), http.instances(),
            http.publicUrl(), http.idleTimeoutSeconds(), accessLog),
        db, dataDir, adminToken, masterKey, logFormat, jwt, inbox, scheduler, cluster, egress,
        ciTrust, retention, outbox);
  }

  public AppConfig withDbUrl(String url) {
    return new AppConfig(http, new Db(Optional.ofNullable(url), db.poolSize()),
        dataDir, adminToken, masterKey, logFormat, jwt, inbox, scheduler, cluster, egress,
        ciTrust, retention, outbox);
  }

  public AppConfig withDataDir(Path dir) {
    return new AppConfig(http, db, dir, adminToken, masterKey, logFormat, jwt, inbox, scheduler, cluster, egress,
        ciTrust, retention, outbox);
  }

  public AppConfig withAdminToken(String token) {
    return new AppConfig(http, db, dataDir, Optional.ofNullable(token), masterKey, logFormat, jwt, inbox, scheduler,
        cluster, egress, ciTrust, retention, outbox);
  }

  public AppConfig withScheduler(Scheduler scheduler) {
    return new AppConfig(http, db, dataDir, adminToken, masterKey, logFormat, jwt, inbox, scheduler, cluster, egress,
        ciTrust, retention, outbox);
  }

  public AppConfig withInbox(Inbox inbox) {
    return new AppConfig(http, db, dataDir, adminToken, masterKey, logFormat, jwt, inbox, scheduler, cluster, egress,
        ciTrust, retention, outbox);
  }

  public AppConfig withCluster(Cluster cluster) {
    return new AppConfig(http, db, dataDir, adminToken, masterKey, logFormat, jwt, inbox, scheduler, cluster, egress,
        ciTrust, retention, outbox);
  }

  public AppConfig withEgress(Egress egress) {
    return new AppConfig(http, db, dataDir, adminToken, masterKey, logFormat, jwt, inbox, scheduler, cluster, egress,
        ciTrust, retention, outbox);
  }

  public AppConfig withCiTrust(CiTrust ciTrust) {
    return new AppConfig(http, db, dataDir, adminToken, masterKey, logFormat, jwt, inbox, scheduler, cluster, egress,
        ciTrust, retention, outbox);
  }

  public AppConfig withRetention(Retention retention) {
    return new AppConfig(http, db, dataDir, adminToken, masterKey, logFormat, jwt, inbox, scheduler, cluster, egress,
        ciTrust, retention, outbox);
  }

  public AppConfig withOutbox(Outbox outbox) {
    return new AppConfig(http, db, dataDir, adminToken, masterKey, logFormat, jwt, inbox, scheduler, cluster, egress,
        ciTrust, retention, outbox);
  }

  public AppConfig withJwt(Jwt jwt) {
    return new AppConfig(http, db, dataDir, adminToken, masterKey, logFormat, jwt, inbox, scheduler, cluster, egress,
        ciTrust, retention, outbox);
  }
}
