package org.stellaops.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code .ci/local-base-image} picks its Debian mirror: from the apt sources of the machine
 * (here a sample tree under APT_CONFIG_ROOT), in both formats apt reads — the one-line format of
 * sources.list and *.list, and the deb822 format of *.sources — as documented in
 * https://manpages.debian.org/bookworm/apt/sources.list.5.en.html. Only {@code --print-mirror}
 * runs: nothing is downloaded and debootstrap is never started.
 */
@DisplayName(".ci/local-base-image mirror detection")
class LocalBaseImageMirrorTest {

  private static final Path SCRIPT = Path.of(".ci/local-base-image").toAbsolutePath();

  @TempDir
  Path root;

  private Path apt;

  @BeforeEach
  void aptTree() throws IOException {
    apt = Files.createDirectories(root.resolve("etc/apt/sources.list.d"));
  }

  @Test
  @DisplayName("a one-line sources.list gives the URI of the first `deb` entry for the suite, past comments, "
      + "deb-src, [options] and other suites")
  void oneLineFormat() throws Exception {
    write("etc/apt/sources.list", """
        # deb http://commented.example.org/debian bookworm main
        deb-src http://source.example.org/debian bookworm main
        deb http://security.example.org/debian-security bookworm-security main
        deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example.org/debian bookworm main contrib
        deb http://later.example.org/debian bookworm main
        """);

    assertThat(printMirror(Map.of())).isEqualTo(new Result(0, "http://mirror.example.org/debian", ""));
  }

  @Test
  @DisplayName("a deb822 *.sources file gives the first URI of the first enabled `deb` stanza listing the suite")
  void deb822Format() throws Exception {
    write("etc/apt/sources.list.d/debian.sources", """
        Types: deb
        URIs: http://security.example.org/debian-security
        Suites: bookworm-security
        Components: main

        Types: deb
        URIs: http://disabled.example.org/debian
        Suites: bookworm
        Components: main
        Enabled: no

        # the archive itself
        Types: deb-src deb
        URIs: http://mirror.example.org/debian
         http://second.example.org/debian
        Suites: bookworm-updates
         bookworm
        Components: main
        Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
        """);

    assertThat(printMirror(Map.of())).isEqualTo(new Result(0, "http://mirror.example.org/debian", ""));
  }

  @Test
  @DisplayName("third-party repositories in sources.list.d (*.list and *.sources) of other suites are passed over")
  void otherRepositoriesArePassedOver() throws Exception {
    write("etc/apt/sources.list.d/cloud.list", "deb https://packages.example.com/apt cloud-sdk-bookworm main\n");
    write("etc/apt/sources.list.d/node.sources", """
        Types: deb
        URIs: https://node.example.com/node_20.x
        Suites: nodistro
        Components: main
        """);
    write("etc/apt/sources.list.d/zz-debian.list", "deb http://mirror.example.org/debian bookworm main\n");

    assertThat(printMirror(Map.of())).isEqualTo(new Result(0, "http://mirror.example.org/debian", ""));
  }

  @Test
  @DisplayName("LOCAL_BASE_MIRROR wins over the apt configuration")
  void environmentOverrides() throws Exception {
    write("etc/apt/sources.list", "deb http://mirror.example.org/debian bookworm main\n");

    assertThat(printMirror(Map.of("LOCAL_BASE_MIRROR", "http://override.example.org/debian")))
        .isEqualTo(new Result(0, "http://override.example.org/debian", ""));
  }

  @Test
  @DisplayName("LOCAL_BASE_SUITE chooses which suite's entry counts")
  void suiteIsConfigurable() throws Exception {
    write("etc/apt/sources.list", """
        deb http://bookworm.example.org/debian bookworm main
        deb http://trixie.example.org/debian trixie main
        """);

    assertThat(printMirror(Map.of("LOCAL_BASE_SUITE", "trixie")).out()).isEqualTo("http://trixie.example.org/debian");
  }

  @Test
  @DisplayName("without any entry for the suite it fails with exit code 2 and a message naming the files and LOCAL_BASE_MIRROR")
  void noMirrorFails() throws Exception {
    write("etc/apt/sources.list.d/security.sources", """
        Types: deb
        URIs: http://security.example.org/debian-security
        Suites: bookworm-security
        Components: main
        """);

    Result r = printMirror(Map.of());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("no Debian mirror for bookworm", root + "/etc/apt/sources.list",
        "sources.list.d/*.sources", "LOCAL_BASE_MIRROR");
  }

  private void write(String path, String text) throws IOException {
    Files.writeString(root.resolve(path), text, StandardCharsets.UTF_8);
  }

  private record Result(int exitCode, String out, String err) {}

  private Result printMirror(Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), "--print-mirror");
    pb.environment().remove("LOCAL_BASE_MIRROR");
    pb.environment().remove("LOCAL_BASE_SUITE");
    pb.environment().put("APT_CONFIG_ROOT", root.toString());
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("script finished").isTrue();
    return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim(),
        new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim());
  }
}
