package org.stellaops.orchestrator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.support.TestDatabases;

/** Migration V11 on integrations and deliveries written before it. */
class RegistryHostsMigrationTest {

  private static final String INTEGRATION = "INSERT INTO integration (id, type, name, config, created_by) "
      + "VALUES ('%s', '%s', '%s', '%s'::jsonb, 'admin:admin')";
  private static final String COMPONENT = "INSERT INTO component (id, name, image_repository, registry_integration_id, "
      + "versioning_strategy, default_channel, created_by) "
      + "VALUES (gen_random_uuid(), '%s', '%s', %s, 'semver', 'stable', 'admin:admin')";
  private static final String DELIVERY = "INSERT INTO webhook_delivery (id, source, integration_type, delivery_key, "
      + "status, body) VALUES (gen_random_uuid(), '%s', '%s', '%s', 'processed', convert_to('%s', 'UTF8'))";

  private static String hosts(String db, String id) throws SQLException {
    return TestDatabases.query(db, "SELECT config -> 'registryHosts' FROM integration WHERE id = '" + id + "'").get(0);
  }

  @Test
  @DisplayName("V11 gives every registry integration the hosts its row already names, fixed hosts to the public "
      + "registries, and an empty list where nothing is known")
  void registryHostsDerived() throws SQLException {
    String db = TestDatabases.databaseAtVersion("10");
    UUID distribution = UUID.randomUUID();
    UUID harbor = UUID.randomUUID();
    UUID acr = UUID.randomUUID();
    UUID ghcr = UUID.randomUUID();
    UUID dockerhub = UUID.randomUUID();
    UUID gitlab = UUID.randomUUID();
    TestDatabases.execute(db, INTEGRATION.formatted(distribution, "registry.distribution", "dist",
        "{\"registryUrl\": \"http://10.0.0.5:5000/\", \"registryHost\": \"Registry.Example.com\"}"));
    TestDatabases.execute(db, INTEGRATION.formatted(harbor, "registry.harbor", "harbor", "{}"));
    TestDatabases.execute(db, INTEGRATION.formatted(acr, "registry.acr", "acr", "{}"));
    TestDatabases.execute(db, INTEGRATION.formatted(ghcr, "registry.ghcr", "ghcr", "{}"));
    TestDatabases.execute(db, INTEGRATION.formatted(dockerhub, "registry.dockerhub", "hub",
        "{\"registryUrl\": \"http://127.0.0.1:1\"}"));
    TestDatabases.execute(db, INTEGRATION.formatted(gitlab, "ci.gitlab", "gitlab", "{\"endpoint\": \"https://gl\"}"));
    TestDatabases.execute(db, COMPONENT.formatted("bound-a", "harbor.example.com/library/a", "'" + harbor + "'"));
    TestDatabases.execute(db, COMPONENT.formatted("bound-b", "harbor.example.com/library/b", "'" + harbor + "'"));
    TestDatabases.execute(db, COMPONENT.formatted("bound-c", "10.1.1.1:8443/team/c", "'" + harbor + "'"));
    TestDatabases.execute(db, COMPONENT.formatted("unbound", "myregistry.azurecr.io/x", "NULL"));

    TestDatabases.migrate(db);

    assertThat(hosts(db, distribution.toString())).isEqualTo("[\"10.0.0.5:5000\", \"registry.example.com\"]");
    assertThat(hosts(db, harbor.toString())).isEqualTo("[\"10.1.1.1:8443\", \"harbor.example.com\"]");
    assertThat(hosts(db, acr.toString())).as("nothing names its host: reports on none until set")
        .isEqualTo("[]");
    assertThat(hosts(db, ghcr.toString())).isEqualTo("[\"ghcr.io\"]");
    assertThat(hosts(db, dockerhub.toString())).isEqualTo("[\"docker.io\"]");
    assertThat(hosts(db, gitlab.toString())).isNull();
    assertThat(TestDatabases.query(db, "SELECT config ->> 'registryUrl' FROM integration WHERE id = '"
        + distribution + "'")).containsExactly("http://10.0.0.5:5000/");
  }

  @Test
  @DisplayName("V11 keys stored GitHub and GHCR deliveries by their body, so a body received before it and sent again "
      + "under a new delivery id is refused as a duplicate")
  void signedDeliveriesRekeyed() throws SQLException {
    String db = TestDatabases.databaseAtVersion("10");
    String github = UUID.randomUUID().toString();
    String registry = UUID.randomUUID().toString();
    String body = "{\"action\":\"completed\",\"workflow_run\":{\"id\":1}}";
    String other = "{\"action\":\"completed\",\"workflow_run\":{\"id\":2}}";
    // The same body twice already (a replay under a new id that got in before this migration).
    TestDatabases.execute(db, DELIVERY.formatted(github, "ci.github", "guid-1", body));
    TestDatabases.execute(db, DELIVERY.formatted(github, "ci.github", "guid-2", body));
    TestDatabases.execute(db, DELIVERY.formatted(github, "ci.github", "guid-3", other));
    TestDatabases.execute(db, DELIVERY.formatted(registry, "registry.distribution", "evt-1", body));

    TestDatabases.migrate(db);

    String bodyKey = "sha256:" + WebhookIngest.sha256Hex(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    String otherKey = "sha256:" + WebhookIngest.sha256Hex(other.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(TestDatabases.query(db, "SELECT delivery_key FROM webhook_delivery WHERE source = '" + github
        + "' ORDER BY seq")).containsExactly(bodyKey, "guid-2", otherKey);
    assertThat(TestDatabases.query(db, "SELECT delivery_key FROM webhook_delivery WHERE source = '" + registry + "'"))
        .containsExactly("evt-1");
    // What ingestion now stores for that body (WebhookIngest.deliveryKey) collides with the old row.
    assertThatThrownBy(() -> TestDatabases.execute(db, DELIVERY.formatted(github, "ci.github", bodyKey, body)))
        .hasMessageContaining("webhook_delivery_dedup_key");
  }
}
