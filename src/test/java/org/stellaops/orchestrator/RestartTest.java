package org.stellaops.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.platform.AppConfig;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;

/** The default set-up: no database configured, so the gateway runs its own embedded PostgreSQL. */
class RestartTest {

  @Test
  @DisplayName("with no database configured, data and the generated admin token survive a restart on the same data directory")
  void dataSurvivesRestart() throws Exception {
    Path dataDir = Files.createTempDirectory("stella-restart");
    AppConfig config = TestGateway.baseConfig().withDataDir(dataDir).withDbUrl(null).withAdminToken(null);

    String adminToken;
    String componentId;
    String masterKey;
    try (TestGateway first = TestGateway.start(config, null)) {
      assertThat(first.app().generatedAdminToken()).isPresent();
      adminToken = first.app().generatedAdminToken().get();
      assertThat(adminToken).startsWith("stella_admin_");
      componentId = first.createComponentWith(adminToken, "survivor", "registry.example.com/survivor/app");
      masterKey = Files.readString(dataDir.resolve("master.key"));
    }
    assertThat(dataDir.resolve("postgres/PG_VERSION")).exists();

    try (TestGateway second = TestGateway.start(config, null)) {
      assertThat(second.app().generatedAdminToken()).isEmpty();
      Resp r = second.get("/api/v1/components/" + componentId, adminToken);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.data().getString("name")).isEqualTo("survivor");
      assertThat(Files.readString(dataDir.resolve("master.key"))).isEqualTo(masterKey);
    }
  }
}
