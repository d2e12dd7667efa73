package org.stellaops.orchestrator.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.security.auth.module.UnixSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.stellaops.orchestrator.Application;
import org.stellaops.orchestrator.support.TestDatabases;
import org.stellaops.orchestrator.support.TestGateway;

/**
 * The data directory (STELLA_DATA_DIR) holds the generated master key (and, without db.url, the
 * embedded database): the real gateway creates it owner-only, and refuses to start on one that
 * someone else could have written to.
 */
class DataDirectoryTest {

  @TempDir
  Path parent;

  @Test
  @DisplayName("an absent data directory (and its parents) is created 0700, and the generated master key is put in it")
  void createdOwnerOnly() throws Exception {
    Path dir = parent.resolve("volume/data");

    try (TestGateway gw = start(dir)) {
      assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
      assertThat(Files.getPosixFilePermissions(dir.resolve("master.key")))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }
  }

  @Test
  @DisplayName("an absent data directory beside a master key of an earlier layout stops start-up instead of "
      + "starting with a new key and an empty database")
  void absentDirectoryBesideEarlierDataIsRefused() throws Exception {
    Path volume = Files.createDirectory(parent.resolve("volume"));
    Files.writeString(volume.resolve("master.key"), "an earlier key");
    Path dir = volume.resolve("data");

    Throwable failure = startFailure(dir);

    assertThat(failure).hasMessageContaining("the data directory " + dir + " (STELLA_DATA_DIR) does not exist, but "
        + volume.resolve("master.key") + " does").hasMessageContaining("mv ");
    assertThat(dir).doesNotExist();
  }

  @ParameterizedTest(name = "mode {0}")
  @ValueSource(strings = {"rwxrwxrwx", "rwxrwx---", "rwx-w----", "rwx----wx"})
  @DisplayName("a data directory writable by its group or others stops start-up with a message naming it, its mode "
      + "and chmod 700, and is left as it was")
  void writableByOthersIsRefused(String mode) throws Exception {
    Path dir = Files.createDirectory(parent.resolve("data"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(mode));

    Throwable failure = startFailure(dir);

    assertThat(failure).hasMessageContaining("the data directory " + dir + " (STELLA_DATA_DIR) is writable by its "
        + "group or others (mode " + DataDirectory.octal(PosixFilePermissions.fromString(mode)) + ")")
        .hasMessageContaining("chmod 700 " + dir);
    assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString(mode));
    assertThat(dir.resolve("master.key")).doesNotExist();
  }

  @Test
  @DisplayName("a data directory only readable by others (0755) is restricted to 0700 and the gateway starts")
  void readableByOthersIsRestricted() throws Exception {
    Path dir = Files.createDirectory(parent.resolve("data"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));

    try (TestGateway gw = start(dir)) {
      assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }
  }

  @Test
  @DisplayName("a data directory owned by another user stops start-up with a message naming both uids")
  void ownedByAnotherUserIsRefused() throws Exception {
    long uid = new UnixSystem().getUid();
    assumeTrue(uid == 0, "handing a directory to another user needs root (CI runs as root)");
    Path dir = Files.createDirectory(parent.resolve("data"), PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
    Files.setAttribute(dir, "unix:uid", 65534);

    Throwable failure = startFailure(dir);

    assertThat(failure).hasMessageContaining("the data directory " + dir + " (STELLA_DATA_DIR) belongs to uid 65534, "
        + "not to the gateway's user (uid 0)");
  }

  @Test
  @DisplayName("a symbolic link as data directory stops start-up")
  void symbolicLinkIsRefused() throws Exception {
    Path target = Files.createDirectory(parent.resolve("elsewhere"), PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
    Path dir = Files.createSymbolicLink(parent.resolve("data"), target);

    assertThat(startFailure(dir)).hasMessageContaining("(STELLA_DATA_DIR) is a symbolic link");
  }

  private static AppConfig config(Path dataDir) {
    return TestGateway.baseConfig().withDataDir(dataDir).withAdminToken(TestGateway.ADMIN_TOKEN);
  }

  private static TestGateway start(Path dataDir) {
    String dbUrl = TestDatabases.freshDatabase();
    return TestGateway.start(config(dataDir).withDbUrl(dbUrl), dbUrl);
  }

  /** The failure of a start that must not succeed (no database is needed to get that far). */
  private static Throwable startFailure(Path dataDir) throws Exception {
    Throwable failure = catchThrowable(() -> Application.start(config(dataDir).withDbUrl(TestDatabases.freshDatabase()))
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS));
    assertThat(failure).as("start-up failure").isNotNull();
    return failure.getCause() != null ? failure.getCause() : failure;
  }
}
