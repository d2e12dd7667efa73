package org.stellaops.orchestrator.platform;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.stellaops.orchestrator.auth.ExpiresIn;
import org.stellaops.orchestrator.egress.Cidr;
import org.yaml.snakeyaml.Yaml;

/**
 * Reads the configuration: the defaults shipped in the jar (a copy of conf/application.yaml),
 * then the operator's file, then STELLA_* environment variables. Every problem is collected
 * and reported together, each naming the key and its environment variable.
 */
public final class ConfigLoader {

  static final String DEFAULTS_RESOURCE = "conf/application.yaml";
  private static final Set<String> LOG_FORMATS = Set.of("text", "json");
  /** 128 bits of hex or more: shorter bootstrap admin tokens are within reach of guessing. */
  static final int MIN_ADMIN_TOKEN_LENGTH = 32;
  /** Shorter retention could remove a failed delivery before anyone had a chance to look at it. */
  static final Duration MIN_RETENTION = Duration.ofHours(1);

  private final Map<String, String> env;
  private final Optional<Path> file;

  public ConfigLoader(Map<String, String> env, Optional<Path> file) {
    this.env = env;
    this.file = file;
  }

  /** The loader a real process uses: its environment, and STELLA_CONFIG or ./conf/application.yaml. */
  public static ConfigLoader fromProcess() {
    Map<String, String> env = System.getenv();
    Optional<Path> file = Optional.ofNullable(env.get("STELLA_CONFIG")).map(Path::of)
        .or(() -> Optional.of(Path.of("conf", "application.yaml")).filter(Files::isRegularFile));
    return new ConfigLoader(env, file);
  }

  /** Upper snake case of a key path: jwt.rolesClaim -> STELLA_JWT_ROLES_CLAIM. */
  public static String envName(String key) {
    return "STELLA_" + key.replace('.', '_').replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase();
  }

  public AppConfig load() {
    Map<String, Object> values = flatten(readDefaults());
    List<String> problems = new ArrayList<>();
    file.ifPresent(path -> {
      Map<String, Object> fromFile = flatten(readFile(path));
      fromFile.forEach((key, value) -> {
        if (!values.containsKey(key)) {
          problems.add("unknown key '" + key + "' in " + path);
        } else {
          values.put(key, value);
        }
      });
    });
    for (String key : values.keySet()) {
      String fromEnv = env.get(envName(key));
      if (fromEnv != null) {
        values.put(key, fromEnv);
      }
    }
    Values v = new Values(values, problems);
    AppConfig config = new AppConfig(
        new AppConfig.Http(
            v.integer("http.port", 0, 65535),
            v.text("http.host"),
            v.integer("http.bodyLimit", 1024, Integer.MAX_VALUE),
            v.integer("http.shutdownTimeout", 0, 3600),
            v.integer("http.instances", 0, 256),
            v.text("http.publicUrl"),
            v.integer("http.idleTimeoutSeconds", 1, 3600),
            v.bool("http.accessLog")),
        new AppConfig.Db(v.optionalText("db.url"), v.integer("db.poolSize", 1, 1000)),
        Path.of(v.text("dataDir")),
        v.optionalText("adminToken"),
        v.optionalText("masterKey"),
        v.oneOf("log.format", LOG_FORMATS),
        new AppConfig.Jwt(
            v.optionalText("jwt.issuer"),
            v.optionalText("jwt.audience"),
            v.optionalText("jwt.jwksUrl"),
            v.optionalText("jwt.publicKey"),
            v.text("jwt.algorithm"),
            v.text("jwt.rolesClaim"),
            v.text("jwt.subjectClaim"),
            v.integer("jwt.jwksRefresh", 10, 86400)),
        new AppConfig.Inbox(v.integer("inbox.leaseSeconds", 1, 3600), v.integer("inbox.maxQueued", 1, 1_000_000)),
        new AppConfig.Scheduler(v.integer("scheduler.tickMillis", 50, 60_000), v.integer("scheduler.batchSize", 1, 10_000),
            v.integer("scheduler.maxConcurrentPolls", 1, 10_000)),
        new AppConfig.Cluster(v.bool("cluster"), v.list("clusterMembers"), v.text("clusterHost"),
            v.integer("clusterPort", 1, 65535), v.integer("clusterBusPort", 1, 65535),
            v.optionalText("clusterKubernetesService")),
        new AppConfig.Egress(v.networks("egress.allowedNetworks")),
        new AppConfig.CiTrust(v.integer("ciTrust.keysRefresh", 10, 86400),
            v.integer("ciTrust.unknownKeyRefetch", 1, 3600)),
        new AppConfig.Retention(v.duration("retention.deliveries", MIN_RETENTION),
            v.duration("retention.runs", MIN_RETENTION)),
        new AppConfig.Outbox(v.bool("outbox.send")));
    if (config.jwt().enabled() && config.jwt().jwksUrl().isEmpty() && config.jwt().publicKey().isEmpty()) {
      problems.add("jwt.issuer is set but neither jwt.jwksUrl (STELLA_JWT_JWKS_URL) nor jwt.publicKey "
          + "(STELLA_JWT_PUBLIC_KEY) is: JWTs could not be verified");
    }
    config.adminToken().filter(t -> t.length() < MIN_ADMIN_TOKEN_LENGTH).ifPresent(t -> problems.add(
        "adminToken (STELLA_ADMIN_TOKEN) must be at least " + MIN_ADMIN_TOKEN_LENGTH + " characters long "
            + "(for example: openssl rand -hex 32)"));
    config.jwt().jwksUrl().filter(url -> !secureOrLoopback(url)).ifPresent(url -> problems.add(
        "jwt.jwksUrl (STELLA_JWT_JWKS_URL) must be an https:// URL (plain http:// only to a loopback host): "
            + "keys fetched over plain HTTP could be swapped by anyone on the path"));
    if (config.jwt().enabled() && !AppConfig.Jwt.ALLOWED_ALGORITHMS.contains(config.jwt().algorithm())) {
      problems.add("jwt.algorithm (STELLA_JWT_ALGORITHM) must be one of " + AppConfig.Jwt.ALLOWED_ALGORITHMS
          + ": tokens are verified only with an asymmetric algorithm");
    }
    config.db().url().ifPresent(url -> {
      if (!url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
        problems.add("db.url (STELLA_DB_URL) must look like postgresql://user:pass@host:port/db");
      }
    });
    if (config.cluster().enabled() && config.cluster().members().isEmpty()
        && config.cluster().kubernetesService().isEmpty()) {
      problems.add("cluster (STELLA_CLUSTER) is true but neither clusterMembers (STELLA_CLUSTER_MEMBERS) nor "
          + "clusterKubernetesService (STELLA_CLUSTER_KUBERNETES_SERVICE) says how to find the other replicas");
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return config;
  }

  /**
   * https, or http to a loopback host named literally (localhost, 127.0.0.0/8, [::1]). No name is
   * resolved here: a DNS answer could change after the check.
   */
  public static boolean secureOrLoopback(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return false;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    if (scheme.equals("https")) {
      return !host.isEmpty();
    }
    return scheme.equals("http") && (host.equals("localhost") || host.equals("[::1]")
        || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}"));
  }

  private static Map<String, Object> readDefaults() {
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULTS_RESOURCE + " is missing from the classpath");
      }
      return new Yaml().load(in);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Object> readFile(Path path) {
    try (Reader reader = Files.newBufferedReader(path)) {
      Object loaded = new Yaml().load(reader);
      if (loaded == null) {
        return Map.of();
      }
      if (!(loaded instanceof Map<?, ?>)) {
        throw new ConfigException(List.of(path + " must hold a YAML mapping"));
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) loaded;
      return map;
    } catch (IOException e) {
      throw new ConfigException(List.of("cannot read " + path + ": " + e.getMessage()));
    }
  }

  private static Map<String, Object> flatten(Map<String, Object> tree) {
    Map<String, Object> flat = new LinkedHashMap<>();
    flattenInto("", tree, flat);
    return flat;
  }

  private static void flattenInto(String prefix, Map<?, ?> tree, Map<String, Object> flat) {
    tree.forEach((k, v) -> {
      String key = prefix + k;
      if (v instanceof Map<?, ?> nested) {
        flattenInto(key + ".", nested, flat);
      } else {
        flat.put(key, v);
      }
    });
  }

  /** Typed reads that record a problem instead of throwing, so all problems are reported at once. */
  private record Values(Map<String, Object> values, List<String> problems) {

    String text(String key) {
      Object v = values.get(key);
      return v == null ? "" : String.valueOf(v).trim();
    }

    Optional<String> optionalText(String key) {
      return Optional.of(text(key)).filter(s -> !s.isEmpty());
    }

    int integer(String key, int min, int max) {
      String raw = text(key);
      try {
        int value = Integer.parseInt(raw);
        if (value < min || value > max) {
          problems.add(key + " (" + envName(key) + ") must be between " + min + " and " + max + ", got " + raw);
        }
        return value;
      } catch (NumberFormatException e) {
        problems.add(key + " (" + envName(key) + ") must be a whole number, got '" + raw + "'");
        return min;
      }
    }

    boolean bool(String key) {
      String raw = text(key).toLowerCase();
      if (!raw.equals("true") && !raw.equals("false")) {
        problems.add(key + " (" + envName(key) + ") must be true or false, got '" + raw + "'");
      }
      return raw.equals("true");
    }

    /** A comma-separated list (a YAML list works too); blanks dropped. */
    List<String> list(String key) {
      Object v = values.get(key);
      List<String> items = new ArrayList<>();
      if (v instanceof List<?> list) {
        list.forEach(item -> items.add(String.valueOf(item).trim()));
      } else {
        for (String item : text(key).split(",")) {
          items.add(item.trim());
        }
      }
      items.removeIf(String::isEmpty);
      return List.copyOf(items);
    }

    /** A list of CIDR networks ({@code 10.0.0.0/8, fd00::/8}); each bad one is a problem naming the key. */
    List<Cidr> networks(String key) {
      List<Cidr> networks = new ArrayList<>();
      for (String item : list(key)) {
        try {
          networks.add(Cidr.parse(item));
        } catch (IllegalArgumentException e) {
          problems.add(key + " (" + envName(key) + "): " + e.getMessage());
        }
      }
      return List.copyOf(networks);
    }

    /**
     * A duration written as a service account's {@code expiresIn} is ({@code 30d}, {@code 12h},
     * {@code 2w}, ISO-8601 {@code P90D}), at least {@code min} and at most ten years.
     */
    Duration duration(String key, Duration min) {
      String raw = text(key);
      Optional<Duration> parsed = ExpiresIn.expiresAt(raw, Instant.EPOCH)
          .map(to -> Duration.between(Instant.EPOCH, to));
      if (parsed.isEmpty() || parsed.get().compareTo(min) < 0) {
        problems.add(key + " (" + envName(key) + ") must be a duration such as 30d, 12h or 2w, at least "
            + min.toHours() + "h and at most 10 years, got '" + raw + "'");
        return min;
      }
      return parsed.get();
    }

    String oneOf(String key, Set<String> allowed) {
      String value = text(key).toLowerCase();
      if (!allowed.contains(value)) {
        problems.add(key + " (" + envName(key) + ") must be one of " + allowed + ", got '" + value + "'");
      }
      return value;
    }
  }

  /** Thrown when the configuration is unusable; the message lists every problem. */
  public static final class ConfigException extends RuntimeException {
    public ConfigException(List<String> problems) {
      super("invalid configuration:\n  - " + String.join("\n  - ", problems));
    }
  }
}
