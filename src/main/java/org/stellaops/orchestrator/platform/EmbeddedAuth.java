package org.stellaops.orchestrator.platform;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.stellaops.orchestrator.crypto.RandomTokens;

/**
 * Password authentication for the embedded PostgreSQL. The library initialises a cluster with
 * {@code trust} authentication, which lets every local user connect as the superuser. Before the
 * server first listens, this sets a generated password on the {@code postgres} role (in
 * single-user mode, which opens no socket) and replaces {@code pg_hba.conf} with SCRAM-only rules
 * for loopback and the Unix socket. The password lives in {@code dataDir/postgres.password},
 * created owner-only (0600) in one step.
 */
final class EmbeddedAuth {

  static final String PASSWORD_FILE = "postgres.password";
  static final String HBA_MARKER = "# stella: SCRAM password authentication only";

  private static final String HBA = HBA_MARKER + """

      # The password of the postgres role is in the gateway's data directory, postgres.password.
      local   all   all                 scram-sha-256
      host    all   all   127.0.0.1/32  scram-sha-256
      host    all   all   ::1/128       scram-sha-256
      """;

  private EmbeddedAuth() {}

  /** Reads the password kept in {@code dataDir}, or creates it (0600, atomically) on first use. */
  static String password(Path dataDir) throws IOException {
    Path file = dataDir.resolve(PASSWORD_FILE);
    if (Files.isRegularFile(file)) {
      Secrets.restrictFileToOwner(file);
      return Files.readString(file, StandardCharsets.US_ASCII).trim();
    }
    String password = RandomTokens.of(32);
    Secrets.writeOwnerOnly(file, password);
    return password;
  }

  /**
   * Called with the cluster's directory after initdb and before the server starts: unless the
   * cluster already uses our rules, sets {@code password} on the superuser and writes them.
   * Also rerun when the password file was removed and made anew, which resets the password.
   */
  static void secure(File clusterDir, String password, boolean passwordIsNew) {
    Path hba = clusterDir.toPath().resolve("pg_hba.conf");
    try {
      boolean ours = Files.isRegularFile(hba) && Files.readString(hba).startsWith(HBA_MARKER);
      if (ours && !passwordIsNew) {
        return;
      }
      setSuperuserPassword(clusterDir, password);
      Files.writeString(hba, HBA, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalStateException("cannot set up password authentication in " + clusterDir + ": "
          + e.getMessage(), e);
    }
  }

  /** {@code ALTER ROLE} through {@code postgres --single}: no socket is open while it runs. */
  private static void setSuperuserPassword(File clusterDir, String password) throws IOException {
    List<String> command = new ArrayList<>();
    if (LinuxUtils.isUnshareAvailable()) {
      // As the library does for its own commands: PostgreSQL refuses to run as root.
      command.addAll(List.of("unshare", "-U"));
    }
    command.addAll(List.of(new File(binaries(), "bin/postgres").getPath(), "--single", "-D", clusterDir.getPath(),
        "postgres"));
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try (OutputStream in = p.getOutputStream()) {
      // The password is base64url: no quote can end the literal.
      in.write(("ALTER ROLE postgres PASSWORD '" + password + "';\n").getBytes(StandardCharsets.US_ASCII));
    }
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException("postgres --single did not set the password (exit "
            + (p.isAlive() ? "timeout" : p.exitValue()) + ")");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while setting the password", e);
    }
  }

  /**
   * Where the library unpacked the PostgreSQL binaries: it keeps that in a private map, filled
   * before it calls the customizer. The library's version is pinned in the pom.
   */
  private static File binaries() throws IOException {
    try {
      Field field = EmbeddedPostgres.class.getDeclaredField("PREPARE_BINARIES");
      field.setAccessible(true);
      Object dir = ((Map<?, ?>) field.get(null)).get(DefaultPostgresBinaryResolver.INSTANCE);
      if (dir instanceof File f && new File(f, "bin/postgres").isFile()) {
        return f;
      }
      throw new IOException("the embedded PostgreSQL binaries were not found");
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IOException("cannot locate the embedded PostgreSQL binaries: " + e.getMessage(), e);
    }
  }
}
