package org.stellaops.orchestrator.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.crypto.MasterKey;

class ConfigLoaderTest {

  @Test
  @DisplayName("defaults come from conf/application.yaml: port 8080, ./data, embedded database, text logs")
  void defaults() {
    AppConfig c = new ConfigLoader(Map.of(), Optional.empty()).load();
    assertThat(c.http().port()).isEqualTo(8080);
    assertThat(c.dataDir()).isEqualTo(Path.of("./data"));
    assertThat(c.db().url()).isEmpty();
    assertThat(c.adminToken()).isEmpty();
    assertThat(c.logFormat()).isEqualTo("text");
    assertThat(c.jwt().enabled()).isFalse();
    assertThat(c.http().bodyLimit()).isEqualTo(1048576);
  }

  @Test
  @DisplayName("the fixed STELLA_* variable names override their keys")
  void environmentOverrides() {
    AppConfig c = new ConfigLoader(Map.of(
        "STELLA_HTTP_PORT", "0",
        "STELLA_DB_URL", "postgresql://stella:pw@db:5432/stella",
        "STELLA_DATA_DIR", "/var/lib/stella",
        "STELLA_ADMIN_TOKEN", "s3cret-s3cret-s3cret-s3cret-s3cret",
        "STELLA_MASTER_KEY", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "STELLA_LOG_FORMAT", "json",
        "STELLA_JWT_ROLES_CLAIM", "groups"), Optional.empty()).load();
    assertThat(c.http().port()).isZero();
    assertThat(c.db().url()).contains("postgresql://stella:pw@db:5432/stella");
    assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/stella"));
    assertThat(c.adminToken()).contains("s3cret-s3cret-s3cret-s3cret-s3cret");
    assertThat(c.masterKey()).isPresent();
    assertThat(c.logFormat()).isEqualTo("json");
    assertThat(c.jwt().rolesClaim()).isEqualTo("groups");
  }

  @Test
  @DisplayName("retention defaults to 30 days for deliveries and 90 for runs, reads 12h, 2w or P45D, and refuses "
      + "anything under an hour naming the key")
  void retention() {
    AppConfig defaults = new ConfigLoader(Map.of(), Optional.empty()).load();
    assertThat(defaults.retention().deliveries()).isEqualTo(java.time.Duration.ofDays(30));
    assertThat(defaults.retention().runs()).isEqualTo(java.time.Duration.ofDays(90));
    AppConfig set = new ConfigLoader(Map.of("STELLA_RETENTION_DELIVERIES", "2w", "STELLA_RETENTION_RUNS", "P45D"),
        Optional.empty()).load();
    assertThat(set.retention().deliveries()).isEqualTo(java.time.Duration.ofDays(14));
    assertThat(set.retention().runs()).isEqualTo(java.time.Duration.ofDays(45));
    assertThatThrownBy(() -> new ConfigLoader(Map.of("STELLA_RETENTION_DELIVERIES", "30m",
        "STELLA_RETENTION_RUNS", "forever"), Optional.empty()).load())
        .hasMessageContaining("retention.deliveries (STELLA_RETENTION_DELIVERIES) must be a duration")
        .hasMessageContaining("retention.runs (STELLA_RETENTION_RUNS) must be a duration")
        .hasMessageContaining("'forever'");
  }

  @Test
  @DisplayName("env names are STELLA_ plus the key path in upper snake case")
  void envNames() {
    assertThat(ConfigLoader.envName("http.port")).isEqualTo("STELLA_HTTP_PORT");
    assertThat(ConfigLoader.envName("dataDir")).isEqualTo("STELLA_DATA_DIR");
    assertThat(ConfigLoader.envName("jwt.jwksUrl")).isEqualTo("STELLA_JWT_JWKS_URL");
  }

  @Test
  @DisplayName("a file overrides defaults; unknown keys and bad values are all reported, each naming key and variable")
  void badValuesAreNamed() throws Exception {
    Path file = Files.createTempFile("stella", ".yaml");
    Files.writeString(file, "http:\n  port: 70000\n  prot: 1\nlog:\n  format: xml\n");
    assertThatThrownBy(() -> new ConfigLoader(Map.of("STELLA_DB_POOL_SIZE", "many"), Optional.of(file)).load())
        .isInstanceOf(ConfigLoader.ConfigException.class)
        .hasMessageContaining("unknown key 'http.prot'")
        .hasMessageContaining("http.port (STELLA_HTTP_PORT) must be between 0 and 65535")
        .hasMessageContaining("db.poolSize (STELLA_DB_POOL_SIZE) must be a whole number")
        .hasMessageContaining("log.format (STELLA_LOG_FORMAT)");
  }

  @Test
  @DisplayName("egress.allowedNetworks is empty by default, reads comma-separated CIDRs, and a bad one stops start-up naming the key")
  void egressAllowedNetworks() {
    assertThat(new ConfigLoader(Map.of(), Optional.empty()).load().egress().allowedNetworks()).isEmpty();
    assertThat(new ConfigLoader(Map.of("STELLA_EGRESS_ALLOWED_NETWORKS", "127.0.0.0/8, ::1/128,10.1.2.3"),
        Optional.empty()).load().egress().allowedNetworks()).extracting(Object::toString)
        .containsExactly("127.0.0.0/8", "0:0:0:0:0:0:0:1/128", "10.1.2.3/32");
    assertThatThrownBy(() -> new ConfigLoader(Map.of("STELLA_EGRESS_ALLOWED_NETWORKS", "127.0.0.0/8,10.0.0.0/40"),
        Optional.empty()).load())
        .isInstanceOf(ConfigLoader.ConfigException.class)
        .hasMessageContaining("egress.allowedNetworks (STELLA_EGRESS_ALLOWED_NETWORKS)")
        .hasMessageContaining("10.0.0.0/40");
  }

  @Test
  @DisplayName("JWT auth needs a key source and the database URL must be a postgresql:// URL")
  void crossFieldChecks() {
    assertThatThrownBy(() -> new ConfigLoader(Map.of("STELLA_JWT_ISSUER", "https://idp", "STELLA_DB_URL", "mysql://x"),
        Optional.empty()).load())
        .hasMessageContaining("STELLA_JWT_JWKS_URL")
        .hasMessageContaining("STELLA_DB_URL");
  }

  @Test
  @DisplayName("a master key must be base64 of 32 bytes")
  void masterKey() throws Exception {
    Path dir = Files.createTempDirectory("stella-key");
    assertThat(MasterKey.load(Optional.empty(), dir).getEncoded()).hasSize(32);
    assertThat(MasterKey.load(Optional.empty(), dir).getEncoded()).isEqualTo(MasterKey.load(Optional.empty(), dir).getEncoded());
    assertThatThrownBy(() -> MasterKey.load(Optional.of("c2hvcnQ="), dir)).hasMessageContaining("32 bytes");
  }

  @Test
  @DisplayName("STELLA_CLUSTER and STELLA_CLUSTER_MEMBERS turn clustering on; true without any peers is refused")
  void clusterSettings() {
    AppConfig off = new ConfigLoader(Map.of(), Optional.empty()).load();
    assertThat(off.cluster().enabled()).isFalse();
    assertThat(off.cluster().port()).isEqualTo(5701);

    AppConfig on = new ConfigLoader(Map.of("STELLA_CLUSTER", "true",
        "STELLA_CLUSTER_MEMBERS", "10.0.0.1, 10.0.0.2:5702,", "STELLA_CLUSTER_HOST", "10.0.0.1"), Optional.empty()).load();
    assertThat(on.cluster().enabled()).isTrue();
    assertThat(on.cluster().members()).containsExactly("10.0.0.1", "10.0.0.2:5702");
    assertThat(on.cluster().host()).isEqualTo("10.0.0.1");
    com.hazelcast.config.Config hz = Clustering.hazelcastConfig(on.cluster());
    assertThat(hz.getNetworkConfig().getJoin().getMulticastConfig().isEnabled()).isFalse();
    assertThat(hz.getNetworkConfig().getJoin().getTcpIpConfig().getMembers()).containsExactly("10.0.0.1", "10.0.0.2:5702");

    AppConfig k8s = new ConfigLoader(Map.of("STELLA_CLUSTER", "true",
        "STELLA_CLUSTER_KUBERNETES_SERVICE", "stella-gateway-cluster.stella.svc.cluster.local"), Optional.empty()).load();
    assertThat(Clustering.hazelcastConfig(k8s.cluster()).getNetworkConfig().getJoin().getKubernetesConfig()
        .getProperty("service-dns")).isEqualTo("stella-gateway-cluster.stella.svc.cluster.local");
    assertThat(Clustering.hazelcastConfig(k8s.cluster()).getNetworkConfig().getJoin().getKubernetesConfig()
        .getProperty("service-port")).isEqualTo("5701");

    assertThatThrownBy(() -> new ConfigLoader(Map.of("STELLA_CLUSTER", "true"), Optional.empty()).load())
        .hasMessageContaining("STELLA_CLUSTER_MEMBERS");
    assertThatThrownBy(() -> new ConfigLoader(Map.of("STELLA_CLUSTER", "yes"), Optional.empty()).load())
        .hasMessageContaining("cluster (STELLA_CLUSTER) must be true or false");
  }

  @Test
  @DisplayName("an admin token shorter than 32 characters stops start-up with a message naming the variable")
  void shortAdminTokenIsRefused() {
    assertThatThrownBy(() -> new ConfigLoader(Map.of("STELLA_ADMIN_TOKEN", "0123456789abcdef0123456789abcde"),
        Optional.empty()).load())
        .isInstanceOf(ConfigLoader.ConfigException.class)
        .hasMessageContaining("STELLA_ADMIN_TOKEN").hasMessageContaining("at least 32 characters");
    assertThat(new ConfigLoader(Map.of("STELLA_ADMIN_TOKEN", "0123456789abcdef0123456789abcdef"), Optional.empty())
        .load().adminToken()).isPresent();
  }

  @Test
  @DisplayName("HS256 and none are refused as jwt.algorithm: only asymmetric algorithms verify tokens")
  void symmetricJwtAlgorithmsAreRefused() {
    for (String alg : new String[] {"HS256", "HS512", "none"}) {
      assertThatThrownBy(() -> new ConfigLoader(Map.of("STELLA_JWT_ISSUER", "https://idp.example.com",
          "STELLA_JWT_PUBLIC_KEY", "MIIB", "STELLA_JWT_ALGORITHM", alg), Optional.empty()).load())
          .as(alg).isInstanceOf(ConfigLoader.ConfigException.class)
          .hasMessageContaining("STELLA_JWT_ALGORITHM").hasMessageContaining("asymmetric");
    }
    assertThat(new ConfigLoader(Map.of("STELLA_JWT_ISSUER", "https://idp.example.com",
        "STELLA_JWT_PUBLIC_KEY", "MIIB", "STELLA_JWT_ALGORITHM", "ES256"), Optional.empty()).load()
        .jwt().algorithm()).isEqualTo("ES256");
  }

  @Test
  @DisplayName("a JWKS URL over plain http is refused unless its host is loopback")
  void plainHttpJwksOnlyToLoopback() {
    assertThatThrownBy(() -> new ConfigLoader(Map.of("STELLA_JWT_ISSUER", "https://idp.example.com",
        "STELLA_JWT_JWKS_URL", "http://idp.example.com/certs"), Optional.empty()).load())
        .isInstanceOf(ConfigLoader.ConfigException.class)
        .hasMessageContaining("STELLA_JWT_JWKS_URL").hasMessageContaining("https://");
    for (String ok : new String[] {"https://idp.example.com/certs", "http://127.0.0.1:8081/certs",
        "http://localhost/certs", "http://[::1]:9000/certs"}) {
      assertThat(new ConfigLoader(Map.of("STELLA_JWT_ISSUER", "https://idp.example.com",
          "STELLA_JWT_JWKS_URL", ok), Optional.empty()).load().jwt().jwksUrl()).as(ok).contains(ok);
    }
    assertThat(ConfigLoader.secureOrLoopback("http://127.0.0.1.evil.example/certs")).isFalse();
    assertThat(ConfigLoader.secureOrLoopback("ftp://127.0.0.1/certs")).isFalse();
  }
}
