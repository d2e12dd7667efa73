package org.stellaops.orchestrator.integration;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.stellaops.orchestrator.platform.Validator;

/**
 * The registry hosts a registry integration may report on ({@code config.registryHosts}). A
 * webhook secret proves only that a delivery came from whoever holds it; this list is what keeps
 * a delivery from naming images of a registry the integration does not stand for.
 *
 * <p>Hosts are compared in one canonical form: lower case, without a trailing dot, with the port
 * as written ({@code registry.example.com} and {@code registry.example.com:443} are different
 * registries to Docker and OCI clients too), and Docker Hub's aliases {@code index.docker.io} and
 * {@code registry-1.docker.io} as {@code docker.io}. Pure.
 */
public final class RegistryHosts {

  public static final String KEY = "registryHosts";
  static final int MAX_HOSTS = 20;

  /** Public registries whose notifications can only be about their own host. */
  private static final Map<IntegrationType, List<String>> FIXED = Map.of(
      IntegrationType.REGISTRY_GHCR, List.of("ghcr.io"),
      IntegrationType.REGISTRY_DOCKERHUB, List.of("docker.io"),
      IntegrationType.REGISTRY_QUAY, List.of("quay.io"));

  private static final Pattern HOST_PORT = Pattern.compile("([a-z0-9.-]+?)\\.?(?::([0-9]{1,5}))?");
  private static final Pattern LABEL = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");
  private static final String EXPECTED = "a list of registry hosts such as [\"registry.example.com\", \"10.0.0.5:5000\"]";

  private RegistryHosts() {}

  /** The fixed hosts of a public registry type, or null when the type is self-hosted or not a registry. */
  public static List<String> fixed(IntegrationType type) {
    return FIXED.get(type);
  }

  /**
   * The hosts an integration reports on: the fixed host of a public registry, else its
   * {@code config.registryHosts} (canonical entries only). Empty means it reports on none, so
   * every image notification it sends is ignored.
   */
  public static List<String> of(IntegrationType type, JsonObject config) {
    List<String> fixed = FIXED.get(type);
    if (fixed != null) {
      return fixed;
    }
    List<String> hosts = new ArrayList<>();
    if (config != null && config.getValue(KEY) instanceof JsonArray list) {
      for (Object entry : list) {
        String host = entry instanceof String s ? canonical(s) : null;
        if (host != null && !hosts.contains(host)) {
          hosts.add(host);
        }
      }
    }
    return hosts;
  }

  /** Whether {@code host} (as a notification names it) is one of {@code hosts}. */
  public static boolean covers(List<String> hosts, String host) {
    String canonical = canonical(host);
    return canonical != null && hosts.contains(canonical);
  }

  /**
   * {@code host[:port]} in canonical form, or null when it is not a DNS name, IPv4 address or
   * {@code localhost} with an optional port from 1 to 65535.
   */
  public static String canonical(String raw) {
    if (raw == null) {
      return null;
    }
    Matcher m = HOST_PORT.matcher(raw.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return null;
    }
    String name = m.group(1);
    String port = m.group(2);
    if (name.length() > 253) {
      return null;
    }
    for (String label : name.split("\\.", -1)) {
      if (!LABEL.matcher(label).matches()) {
        return null;
      }
    }
    if (port != null) {
      int p = Integer.parseInt(port);
      if (p < 1 || p > 65_535) {
        return null;
      }
      port = Integer.toString(p);
    }
    if (name.equals("index.docker.io") || name.equals("registry-1.docker.io")) {
      name = "docker.io";
    }
    return port == null ? name : name + ":" + port;
  }

  /**
   * Checks {@code config.registryHosts} of an integration being created or changed, and puts
   * the canonical list back into {@code config}: required and non-empty for a self-hosted
   * registry, fixed (and filled in) for a public one, refused for anything that is not a
   * registry.
   */
  public static void check(Validator v, IntegrationType type, JsonObject config) {
    if (type == null) {
      return;
    }
    String field = "config." + KEY;
    Object value = config.getValue(KEY);
    if (!type.isRegistry()) {
      if (config.containsKey(KEY)) {
        v.error(field, "is only for registry integrations", "NOT_ALLOWED");
      }
      return;
    }
    List<String> fixed = FIXED.get(type);
    if (value == null) {
      if (fixed != null) {
        config.put(KEY, new JsonArray(fixed));
      } else {
        v.error(field, "is required for " + type.wire() + ": " + EXPECTED + " (the hosts its notifications name)",
            "REQUIRED");
      }
      return;
    }
    if (!(value instanceof JsonArray list) || list.isEmpty() || list.size() > MAX_HOSTS) {
      v.error(field, "must be " + EXPECTED + ", 1 to " + MAX_HOSTS + " of them", "INVALID_FORMAT");
      return;
    }
    List<String> hosts = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String host = list.getValue(i) instanceof String s ? canonical(s) : null;
      if (host == null) {
        v.error(field + "[" + i + "]", "must be a registry host such as registry.example.com[:port]",
            "INVALID_FORMAT");
      } else if (!hosts.contains(host)) {
        hosts.add(host);
      }
    }
    if (fixed != null && v.isValid() && !hosts.equals(fixed)) {
      v.error(field, "is fixed to " + fixed + " for " + type.wire(), "IMMUTABLE");
      return;
    }
    config.put(KEY, new JsonArray(hosts));
  }
}
