package org.stellaops.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
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

  @Test
  @DisplayName("the embedded database wants the generated password; the data directory, password and master key are owner-only")
  void embeddedDatabaseIsNotOpenToLocalUsers() throws Exception {
    Path dataDir = Files.createTempDirectory("stella-pgauth");
    Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    AppConfig config = TestGateway.baseConfig().withDataDir(dataDir).withDbUrl(null)
        .withAdminToken(TestGateway.ADMIN_TOKEN);
    String firstPassword;
    try (TestGateway gw = TestGateway.start(config, null)) {
      firstPassword = assertLockedDown(dataDir);
    }
    // A data directory from before password authentication: trust rules, no password file, and
    // a master key readable by everyone.
    Files.writeString(dataDir.resolve("postgres/pg_hba.conf"), "host all all 127.0.0.1/32 trust\n");
    Files.setPosixFilePermissions(dataDir.resolve("master.key"), PosixFilePermissions.fromString("rw-r--r--"));
    Files.delete(dataDir.resolve("postgres.password"));
    try (TestGateway gw = TestGateway.start(config, null)) {
      assertThat(gw.get("/api/v1/components", TestGateway.ADMIN_TOKEN).status()).isEqualTo(200);
      assertThat(assertLockedDown(dataDir)).isNotEqualTo(firstPassword);
    }
  }

  /** Checks modes and authentication of a running embedded database; returns its password. */
  private static String assertLockedDown(Path dataDir) throws Exception {
    assertThat(Files.getPosixFilePermissions(dataDir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    assertThat(Files.getPosixFilePermissions(dataDir.resolve("postgres.password")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(dataDir.resolve("master.key")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    String password = Files.readString(dataDir.resolve("postgres.password")).trim();
    assertThat(password).hasSizeGreaterThanOrEqualTo(40);
    // postmaster.pid: line 4 is the port the server listens on.
    String port = Files.readAllLines(dataDir.resolve("postgres/postmaster.pid")).get(3).trim();
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    assertThatThrownBy(() -> DriverManager.getConnection(url, "postgres", "").close()).isInstanceOf(SQLException.class);
    assertThatThrownBy(() -> DriverManager.getConnection(url, "postgres", "postgres").close())
        .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
    try (Connection c = DriverManager.getConnection(url, "postgres", password)) {
      assertThat(c.isValid(5)).isTrue();
    }
    return password;
  }
}
