package org.stellaops.orchestrator.support;

import static org.awaitility.Awaitility.await;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * A real CNCF distribution registry (Debian's {@code docker-registry} 2.8.2) on a free loopback
 * port, plus {@code skopeo} to push hand-written OCI images to it, so ingest tests see the
 * notification envelopes a production registry sends
 * (https://distribution.github.io/distribution/about/notifications/).
 *
 * <p>Guarantees: the registry answers {@code GET /v2/} with 200 before the factory returns;
 * storage, config, images and logs live in one temp dir that {@link #close()} deletes after the
 * process (and any children) are gone. Not guaranteed: notification delivery is asynchronous and
 * the registry's retry queue is in memory only, so tests must await events with a bound.
 *
 * <p>The tools are required, not optional: CI ({@code .ci/run}) installs them, so a missing tool
 * fails the test with {@link IllegalStateException} instead of skipping it.
 */
public final class RegistryHarness implements AutoCloseable {

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Where the registry sends its events; {@code headers} are sent verbatim on every POST. */
  public record Notifications(String url, Map<String, String> headers, boolean ignoreBlobs) {
    public Notifications {
      headers = Map.copyOf(headers);
    }
  }

  /** A hand-written OCI image layout and the sha256 of its manifest bytes. */
  public record OciImage(Path layout, String tag, String manifestDigest) {}

  private final Path dir;
  private final int port;
  private final Process process;
  private final Path log;
  private final HttpClient http =
      HttpClient.newBuilder()
          .proxy(HttpClient.Builder.NO_PROXY)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private final AtomicInteger commands = new AtomicInteger();

  /** A registry that sends no notifications. */
  public static RegistryHarness start() {
    return new RegistryHarness(null);
  }

  /** A registry notifying {@code url}; blob events (application/octet-stream) are dropped. */
  public static RegistryHarness start(String url, Map<String, String> headers) {
    return start(new Notifications(url, headers, true));
  }

  public static RegistryHarness start(Notifications notifications) {
    return new RegistryHarness(notifications);
  }

  /** True when both {@code docker-registry} and {@code skopeo} are on PATH. */
  public static boolean available() {
    return onPath("docker-registry") && onPath("skopeo");
  }

  private RegistryHarness(Notifications notifications) {
    requireTool("docker-registry");
    requireTool("skopeo");
    try {
      dir = Files.createTempDirectory("registry-harness-");
    } catch (IOException e) {
      throw new UncheckedIOException("could not create a temp dir", e);
    }
    log = dir.resolve("registry.log");
    Process started = null;
    int chosen = 0;
    try {
      chosen = freePort();
      Path config = dir.resolve("config.yml");
      Files.writeString(config, config(dir.resolve("storage"), chosen, notifications));
      started =
          new ProcessBuilder("docker-registry", "serve", config.toString())
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
    } catch (IOException e) {
      deleteRecursively(dir);
      throw new UncheckedIOException("could not start docker-registry", e);
    }
    port = chosen;
    process = started;
    try {
      awaitReady();
    } catch (RuntimeException | Error e) {
      String output = log();
      close();
      throw new IllegalStateException(
          "docker-registry did not answer GET /v2/ on port " + port + "; its output:\n" + output,
          e);
    }
  }

  public int port() {
    return port;
  }

  /** {@code 127.0.0.1:<port>}, the registry host in image references. */
  public String hostPort() {
    return "127.0.0.1:" + port;
  }

  /** The registry's output so far (config errors, notification retries, access log). */
  public String log() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "(could not read " + log + ": " + e + ")";
    }
  }

  /** Writes a fresh one-layer image (random content, so a distinct digest) into the temp dir. */
  public OciImage makeImage(String tag) {
    try {
      Path layout = Files.createDirectories(dir.resolve("images").resolve(UUID.randomUUID().toString()));
      return writeImage(layout, tag);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Pushes {@code image} as {@code <repository>:<tag>}; fails with skopeo's output on error. */
  public void push(OciImage image, String repository) {
    run(
        "skopeo",
        "--insecure-policy",
        "copy",
        "--dest-tls-verify=false",
        "oci:" + image.layout() + ":" + image.tag(),
        "docker://" + hostPort() + "/" + repository + ":" + image.tag());
  }

  /**
   * The manifest digest the registry reports for {@code <repository>:<tag>}. Note: the registry
   * emits a manifest {@code pull} event for this.
   */
  public String inspectDigest(String repository, String tag) {
    String json =
        run(
            "skopeo",
            "--insecure-policy",
            "inspect",
            "--tls-verify=false",
            "docker://" + hostPort() + "/" + repository + ":" + tag);
    return new JsonObject(json).getString("Digest");
  }

  /** {@code DELETE /v2/<repository>/manifests/<digest>}, which must answer 202. */
  public void deleteManifest(String repository, String digest) {
    URI uri = URI.create("http://" + hostPort() + "/v2/" + repository + "/manifests/" + digest);
    HttpResponse<String> response;
    try {
      response =
          http.send(
              HttpRequest.newBuilder(uri).DELETE().timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException("DELETE " + uri + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during DELETE " + uri, e);
    }
    if (response.statusCode() != 202) {
      throw new IllegalStateException(
          "DELETE " + uri + " answered " + response.statusCode() + ": " + response.body());
    }
  }

  /** Stops the registry (and its children) and deletes the temp dir. Safe to call twice. */
  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.descendants().forEach(ProcessHandle::destroy);
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    deleteRecursively(dir);
  }

  // --- OCI image layout (https://github.com/opencontainers/image-spec/blob/main/image-layout.md) ---

  /** Writes a one-layer OCI image layout into {@code layout}, annotated with {@code tag}. */
  public static OciImage writeImage(Path layout, String tag) throws IOException {
    Path blobs = Files.createDirectories(layout.resolve("blobs").resolve("sha256"));
    Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");

    byte[] content = new byte[64];
    RANDOM.nextBytes(content);
    byte[] tar = tar("harness/" + UUID.randomUUID() + ".bin", content);
    byte[] layer = gzip(tar);
    String layerDigest = writeBlob(blobs, layer);

    JsonObject config =
        new JsonObject()
            .put("architecture", "amd64")
            .put("os", "linux")
            .put(
                "rootfs",
                new JsonObject()
                    .put("type", "layers")
                    .put("diff_ids", new JsonArray().add(sha256(tar))));
    byte[] configBytes = config.encode().getBytes(StandardCharsets.UTF_8);
    String configDigest = writeBlob(blobs, configBytes);

    JsonObject manifest =
        new JsonObject()
            .put("schemaVersion", 2)
            .put("mediaType", "application/vnd.oci.image.manifest.v1+json")
            .put(
                "config",
                descriptor("application/vnd.oci.image.config.v1+json", configDigest, configBytes.length))
            .put(
                "layers",
                new JsonArray()
                    .add(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layerDigest, layer.length)));
    byte[] manifestBytes = manifest.encode().getBytes(StandardCharsets.UTF_8);
    String manifestDigest = writeBlob(blobs, manifestBytes);

    JsonObject index =
        new JsonObject()
            .put("schemaVersion", 2)
            .put("mediaType", "application/vnd.oci.image.index.v1+json")
            .put(
                "manifests",
                new JsonArray()
                    .add(
                        descriptor(
                                "application/vnd.oci.image.manifest.v1+json",
                                manifestDigest,
                                manifestBytes.length)
                            .put(
                                "annotations",
                                new JsonObject().put("org.opencontainers.image.ref.name", tag))));
    Files.writeString(layout.resolve("index.json"), index.encode());
    return new OciImage(layout, tag, manifestDigest);
  }

  private static JsonObject descriptor(String mediaType, String digest, long size) {
    return new JsonObject().put("mediaType", mediaType).put("digest", digest).put("size", size);
  }

  private static String writeBlob(Path blobs, byte[] bytes) throws IOException {
    String digest = sha256(bytes);
    Files.write(blobs.resolve(digest.substring("sha256:".length())), bytes);
    return digest;
  }

  /** A POSIX ustar archive holding one regular file. */
  private static byte[] tar(String name, byte[] content) {
    byte[] header = new byte[512];
    putString(header, 0, 100, name);
    putString(header, 100, 8, "0000644");
    putString(header, 108, 8, "0000000");
    putString(header, 116, 8, "0000000");
    putString(header, 124, 12, String.format("%011o", content.length));
    putString(header, 136, 12, String.format("%011o", 0));
    for (int i = 148; i < 156; i++) {
      header[i] = ' '; // the checksum is computed with its own field as spaces
    }
    header[156] = '0';
    putString(header, 257, 6, "ustar");
    putString(header, 263, 2, "00");
    int sum = 0;
    for (byte b : header) {
      sum += b & 0xff;
    }
    putString(header, 148, 8, String.format("%06o", sum)); // six digits, NUL, space
    header[155] = ' ';

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(header);
    out.writeBytes(content);
    out.writeBytes(new byte[(512 - content.length % 512) % 512]);
    out.writeBytes(new byte[1024]); // end-of-archive marker
    return out.toByteArray();
  }

  private static void putString(byte[] block, int offset, int length, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
    if (bytes.length > length) {
      throw new IllegalArgumentException("tar field too long: " + value);
    }
    System.arraycopy(bytes, 0, block, offset, bytes.length);
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }

  private static String sha256(byte[] bytes) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // --- registry process ---

  /** The registry config; field names from distribution 2.8.2 configuration.go. */
  private static String config(Path storage, int port, Notifications notifications) {
    StringBuilder yaml = new StringBuilder();
    yaml.append("version: 0.1\n")
        .append("log:\n  level: info\n  formatter: text\n")
        .append("storage:\n")
        .append("  filesystem:\n    rootdirectory: ").append(q(storage.toString())).append('\n')
        .append("  delete:\n    enabled: true\n")
        .append("  maintenance:\n    uploadpurging:\n      enabled: false\n")
        .append("http:\n")
        .append("  addr: ").append(q("127.0.0.1:" + port)).append('\n')
        .append("  secret: ").append(q(UUID.randomUUID().toString())).append('\n');
    if (notifications != null) {
      yaml.append("notifications:\n")
          .append("  events:\n    includereferences: true\n")
          .append("  endpoints:\n")
          .append("    - name: harness\n")
          .append("      disabled: false\n")
          .append("      url: ").append(q(notifications.url())).append('\n')
          .append("      timeout: 2s\n")
          .append("      threshold: 3\n")
          .append("      backoff: 1s\n");
      if (!notifications.headers().isEmpty()) {
        yaml.append("      headers:\n");
        // distribution wants http.Header: every value is a list
        new LinkedHashMap<>(notifications.headers())
            .forEach((k, v) -> yaml.append("        ").append(q(k)).append(": [").append(q(v)).append("]\n"));
      }
      if (notifications.ignoreBlobs()) {
        yaml.append("      ignoredmediatypes:\n        - application/octet-stream\n");
      }
    }
    return yaml.toString();
  }

  /** A JSON string literal, which is also a valid YAML double-quoted scalar. */
  private static String q(String value) {
    return Json.encode(value);
  }

  private void awaitReady() {
    URI v2 = URI.create("http://" + hostPort() + "/v2/");
    HttpRequest request = HttpRequest.newBuilder(v2).GET().timeout(Duration.ofSeconds(2)).build();
    await("docker-registry answering GET " + v2)
        .atMost(STARTUP_TIMEOUT)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new IllegalStateException("docker-registry exited with " + process.exitValue());
              }
              try {
                return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
              } catch (IOException notYetListening) {
                return false;
              }
            });
  }

  /** Runs a command with a bounded wait; returns stdout, or fails with stdout and stderr. */
  private String run(String... command) {
    int n = commands.incrementAndGet();
    Path stdout = dir.resolve("cmd-" + n + ".out");
    Path stderr = dir.resolve("cmd-" + n + ".err");
    String shown = String.join(" ", command);
    Process p;
    try {
      p =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectOutput(stdout.toFile())
              .redirectError(stderr.toFile())
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + shown, e);
    }
    try {
      if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new IllegalStateException(
            shown + " did not finish within " + COMMAND_TIMEOUT + output(stdout, stderr));
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + shown, e);
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          shown + " exited with " + p.exitValue() + output(stdout, stderr));
    }
    try {
      return Files.readString(stdout);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String output(Path stdout, Path stderr) {
    try {
      return "\n--- stdout ---\n" + Files.readString(stdout) + "\n--- stderr ---\n" + Files.readString(stderr);
    } catch (IOException e) {
      return " (output unreadable: " + e + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void requireTool(String name) {
    if (!onPath(name)) {
      throw new IllegalStateException(name + " is not installed; .ci/run installs it");
    }
  }

  private static boolean onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String entry : path.split(File.pathSeparator)) {
      if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, name))) {
        return true;
      }
    }
    return false;
  }

  private static void deleteRecursively(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    List<Path> paths = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(paths::add);
    } catch (IOException e) {
      throw new UncheckedIOException("could not list " + root, e);
    }
    for (Path p : paths) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        throw new UncheckedIOException("could not delete " + p, e);
      }
    }
  }
}
