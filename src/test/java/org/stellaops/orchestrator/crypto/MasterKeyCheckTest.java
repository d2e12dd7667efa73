package org.stellaops.orchestrator.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.platform.AppConfig;
import org.stellaops.orchestrator.support.RecordingServer;
import org.stellaops.orchestrator.support.TestDatabases;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;

/**
 * A gateway started with a master key other than the one its database's credentials are
 * encrypted with stops at start-up. Each configuration below has its own data directory, and so
 * its own generated master key (dataDir/master.key).
 */
class MasterKeyCheckTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  private static final String CHECK = "SELECT value FROM gateway_setting WHERE name = 'master_key_check'";

  private static AppConfig config(String dbUrl) {
    return TestGateway.baseConfig().withDbUrl(dbUrl).withAdminToken(ADMIN);
  }

  @Test
  @DisplayName("a gateway with another master key does not start on a database holding credentials; the original key does")
  void anotherKeyStopsTheStart() throws Exception {
    String db = TestDatabases.freshDatabase();
    AppConfig original = config(db);
    try (TestGateway gw = TestGateway.start(original, db)) {
      Resp created = gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "scm.gitlab").put("name", "gl")
          .put("config", new JsonObject().put("webUrl", "https://gitlab.example.com"))
          .put("credentials", new JsonObject().put("token", "glpat-secret-token-value")));
      assertThat(created.status()).as(created.body()).isEqualTo(201);
    }

    assertRefused(config(db), db, true);

    try (TestGateway again = TestGateway.start(original, db)) {
      assertThat(again.get("/api/v1/integrations", ADMIN).status()).isEqualTo(200);
    }
    // What is stored checks a key; it is not the key, nor a hash of the key alone.
    byte[] key = Base64.getDecoder().decode(Files.readString(original.dataDir().resolve("master.key")).trim());
    String stored = TestDatabases.query(db, CHECK).get(0);
    assertThat(stored).isNotEqualTo(Base64.getEncoder().encodeToString(key))
        .isNotEqualTo(Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(key)));
    assertThat(stored).isEqualTo(MasterKeyCheck.checkValue(new javax.crypto.spec.SecretKeySpec(key, "AES")));
  }

  @Test
  @DisplayName("on a database upgraded without a check value, a key that cannot open a stored step header (in an "
      + "environment, or only in a promotion's snapshot) is refused, and the key that opens it is recorded")
  void upgradedDatabaseIsCheckedAgainstItsCiphertexts() throws Exception {
    String db = TestDatabases.freshDatabase();
    AppConfig original = config(db);
    try (RecordingServer target = new RecordingServer(r -> new RecordingServer.Answer(200, "{}"));
        TestGateway gw = TestGateway.start(original, db)) {
      // The only ciphertexts: a step header value, sealed in the environment's workflow and in
      // the snapshot of it that a promotion keeps.
      Resp env = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", "prod").put("workflow",
          new JsonArray().add(new JsonObject().put("id", "deploy").put("type", "deploy").put("config", new JsonObject()
              .put("url", target.url() + "/deploy")
              .put("headers", new JsonObject().put("Authorization", "Bearer deploy-secret"))))));
      assertThat(env.status()).as(env.body()).isEqualTo(201);
      String component = gw.createComponent("svc", "registry.example.com/svc").getString("id");
      String release = gw.post("/api/v1/releases", ADMIN, new JsonObject().put("name", "svc-1").put("components",
          new JsonArray().add(new JsonObject().put("componentId", component).put("digest", "sha256:" + "b".repeat(64)))))
          .data().getString("id");
      String promotion = gw.post("/api/v1/promotions", ADMIN, new JsonObject().put("releaseId", release)
          .put("targetEnvironmentId", env.data().getString("id"))).data().getString("id");
      await().atMost(Duration.ofSeconds(15)).until(() -> "deployed".equals(
          gw.get("/api/v1/promotions/" + promotion, ADMIN).data().getString("status")));
    }
    TestDatabases.execute(db, "DELETE FROM gateway_setting");

    assertRefused(config(db), db, true);
    TestDatabases.execute(db, "UPDATE environment SET workflow = '[]'");
    assertRefused(config(db), db, true);
    assertThat(TestDatabases.query(db, CHECK)).isEmpty();

    try (TestGateway again = TestGateway.start(original, db)) {
      assertThat(TestDatabases.query(db, CHECK)).hasSize(1);
    }
    assertRefused(config(db), db, true);
  }

  @Test
  @DisplayName("a database with nothing encrypted yet stays bound to the key it was first started with, "
      + "and the refusal says how to adopt another")
  void firstKeyBindsTheDatabase() throws Exception {
    String db = TestDatabases.freshDatabase();
    try (TestGateway gw = TestGateway.start(config(db), db)) {
      assertThat(TestDatabases.query(db, CHECK)).hasSize(1);
    }
    assertRefused(config(db), db, false);
    TestDatabases.execute(db, "DELETE FROM gateway_setting WHERE name = 'master_key_check'");
    try (TestGateway adopted = TestGateway.start(config(db), db)) {
      assertThat(TestDatabases.query(db, CHECK)).hasSize(1);
    }
  }

  private static void assertRefused(AppConfig config, String db, boolean encrypted) {
    assertThatThrownBy(() -> TestGateway.start(config, db).close())
        .rootCause()
        .isInstanceOf(MasterKeyCheck.MismatchException.class)
        .hasMessageContaining("does not match the one this database")
        .hasMessageContaining(encrypted ? "stored credentials were encrypted with" : "first started with")
        .hasMessageContaining("Start with the original key")
        .satisfies(e -> assertThat(e.getMessage().contains("Nothing is encrypted")).isEqualTo(!encrypted))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(new String(
            Files.readAllBytes(config.dataDir().resolve("master.key")), StandardCharsets.US_ASCII).trim()));
  }
}
