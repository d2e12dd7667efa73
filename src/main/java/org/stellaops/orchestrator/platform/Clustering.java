package org.stellaops.orchestrator.platform;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * The Hazelcast set-up of a clustered gateway. Only the event bus is clustered: every durable
 * fact lives in PostgreSQL, so a replica that dies loses nothing another replica needs, and a
 * new one needs nothing but the database to join.
 */
public final class Clustering {

  /** Replicas of one deployment share this Hazelcast cluster name. */
  static final String CLUSTER_NAME = "stella-gateway";

  private Clustering() {}

  /**
   * Where this replica's event bus listens and what it tells the others: a fixed port (so a
   * firewall or NetworkPolicy can allow it) on the cluster host.
   */
  public static io.vertx.core.eventbus.EventBusOptions eventBus(AppConfig.Cluster cluster) {
    io.vertx.core.eventbus.EventBusOptions options = new io.vertx.core.eventbus.EventBusOptions()
        .setPort(cluster.busPort());
    if (!cluster.host().isEmpty()) {
      options.setHost(cluster.host()).setClusterPublicHost(cluster.host()).setClusterPublicPort(cluster.busPort());
    }
    return options;
  }

  /** A cluster manager for {@code cluster}; call only when clustering is enabled. */
  public static ClusterManager manager(AppConfig.Cluster cluster) {
    return new HazelcastClusterManager(hazelcastConfig(cluster));
  }

  /**
   * Vert.x's own Hazelcast configuration (the maps and multimaps its event bus needs) with the
   * network replaced: no multicast and no auto-detection, which would let unrelated processes on
   * the same network join; peers come from the member list or the Kubernetes Service only.
   */
  static Config hazelcastConfig(AppConfig.Cluster cluster) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(CLUSTER_NAME);
    // A killed replica is noticed within seconds (defaults: 60 s), so its event-bus
    // registrations stop receiving messages soon after.
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", "10");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    // Through SLF4J, so logback-loggers.xml sets what Hazelcast may log.
    config.setProperty("hazelcast.logging.type", "slf4j");
    // Only the event bus is clustered: no stream processing (Jet's default, stated here).
    config.getJetConfig().setEnabled(false);
    // Vert.x leaves the cluster in its own close(); Hazelcast's hook would race it on SIGTERM.
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(false);
    if (!cluster.host().isEmpty()) {
      // The host alone: Vert.x reads this value back as the event bus's public host, and a
      // "host:port" there made every event-bus connection between replicas fail to resolve.
      network.setPublicAddress(cluster.host());
      network.getInterfaces().setEnabled(true).addInterface(cluster.host());
      config.setProperty("hazelcast.socket.bind.any", "false");
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getAwsConfig().setEnabled(false);
    cluster.kubernetesService().ifPresentOrElse(
        // DNS mode needs no Kubernetes API access (no RBAC); the peers listen on our own port.
        service -> join.getKubernetesConfig().setEnabled(true).setProperty("service-dns", service)
            .setProperty("service-port", String.valueOf(cluster.port())),
        () -> join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members()));
    return config;
  }
}
