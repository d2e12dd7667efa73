package org.stellaops.orchestrator.webhook;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.core.json.JsonArray;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.stellaops.orchestrator.egress.Addresses;
import org.stellaops.orchestrator.integration.IntegrationService;
import org.stellaops.orchestrator.integration.IntegrationType;
import org.stellaops.orchestrator.integration.ResolvedIntegration;

/**
 * Resolves a tag to its manifest digest with {@code HEAD /v2/<name>/manifests/<tag>} and the
 * {@code Docker-Content-Digest} header, for senders that report pushes without one (Docker Hub,
 * Quay). Follows the registry token flow: a 401 with {@code WWW-Authenticate: Bearer realm=…}
 * is answered by fetching a token from the realm, with the integration's
 * {@code credentials.username}/{@code password} when set, provided the realm passes
 * {@link #realmRefusal}. Redirects are never followed (see {@code egress.Egress}).
 */
public final class RegistryClient {

  private static final String ACCEPT = String.join(", ",
      "application/vnd.oci.image.index.v1+json",
      "application/vnd.oci.image.manifest.v1+json",
      "application/vnd.docker.distribution.manifest.list.v2+json",
      "application/vnd.docker.distribution.manifest.v2+json");
  private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  private static final String DOCKER_HUB_AUTH = "auth.docker.io";

  private final WebClient http;

  public RegistryClient(WebClient http) {
    this.http = http;
  }

  /** The registry API base: {@code config.registryUrl}, else the vendor's public registry. */
  static String baseUrl(ResolvedIntegration integration, String host) {
    String configured = integration.config().getString("registryUrl");
    if (configured != null) {
      return configured.replaceAll("/+$", "");
    }
    return switch (integration.type()) {
      case REGISTRY_DOCKERHUB -> "https://registry-1.docker.io";
      case REGISTRY_QUAY -> "https://quay.io";
      default -> "https://" + host;
    };
  }

  /** @param repository canonical repository (host/path) */
  public Future<String> resolveDigest(ResolvedIntegration integration, String repository, String tag) {
    int slash = repository.indexOf('/');
    String host = repository.substring(0, slash);
    String path = repository.substring(slash + 1);
    String base = baseUrl(integration, host);
    String url = base + "/v2/" + path + "/manifests/" + tag;
    return head(url, null).compose(response -> {
      if (response.statusCode() == 401) {
        String challenge = response.getHeader("WWW-Authenticate");
        return token(integration, base, challenge).compose(token -> head(url, "Bearer " + token));
      }
      return Future.succeededFuture(response);
    }).map(response -> {
      String digest = response.getHeader("Docker-Content-Digest");
      if (response.statusCode() != 200 || digest == null) {
        throw new IllegalStateException("HEAD " + url + " answered " + response.statusCode()
            + (digest == null ? " without Docker-Content-Digest" : ""));
      }
      return digest;
    });
  }

  private Future<HttpResponse<Buffer>> head(String url, String authorization) {
    var request = http.requestAbs(HttpMethod.HEAD, url).putHeader("Accept", ACCEPT).timeout(10_000);
    if (authorization != null) {
      request.putHeader("Authorization", authorization);
    }
    return request.send();
  }

  private Future<String> token(ResolvedIntegration integration, String registryBase, String challenge) {
    if (challenge == null || !challenge.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Future.failedFuture(new IllegalStateException("registry asked for authentication it does not describe: "
          + challenge));
    }
    Map<String, String> params = challengeParams(challenge);
    String realm = params.remove("realm");
    if (realm == null) {
      return Future.failedFuture(new IllegalStateException("registry token challenge has no realm"));
    }
    Optional<String> refused = realmRefusal(realm, registryBase, realmHosts(integration));
    if (refused.isPresent()) {
      return Future.failedFuture(new IllegalStateException(refused.get()));
    }
    StringBuilder url = new StringBuilder(realm);
    char sep = realm.contains("?") ? '&' : '?';
    for (var e : params.entrySet()) {
      url.append(sep).append(e.getKey()).append('=').append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
      sep = '&';
    }
    var request = http.getAbs(url.toString()).timeout(10_000);
    String user = integration.credential("username");
    String password = integration.credential("password");
    if (user != null && password != null) {
      request.putHeader("Authorization", "Basic " + Base64.getEncoder()
          .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }
    return request.send().map(response -> {
      if (response.statusCode() != 200) {
        throw new IllegalStateException("registry token endpoint answered " + response.statusCode());
      }
      var json = response.bodyAsJsonObject();
      String token = json.getString("token", json.getString("access_token"));
      if (token == null) {
        throw new IllegalStateException("registry token endpoint returned no token");
      }
      return token;
    });
  }

  /**
   * Hosts besides the registry's own that may serve its token realm: {@code config.tokenRealmHosts},
   * and for Docker Hub's own registry its token service
   * (https://docs.docker.com/reference/api/registry/auth/).
   */
  static List<String> realmHosts(ResolvedIntegration integration) {
    List<String> hosts = new ArrayList<>();
    JsonArray configured = integration.config().getJsonArray(IntegrationService.TOKEN_REALM_HOSTS);
    if (configured != null) {
      configured.forEach(h -> hosts.add(String.valueOf(h)));
    }
    if (integration.type() == IntegrationType.REGISTRY_DOCKERHUB && integration.config().getString("registryUrl") == null) {
      hosts.add(DOCKER_HUB_AUTH);
    }
    return hosts;
  }

  /**
   * Why the registry's password may not go to {@code realm}, or empty when it may. The realm is
   * named by the registry's answer, so a registry (or whoever answers in its name) could point it
   * anywhere: it must be https (plain http only on loopback) and on the registry's own host or
   * one the integration lists. Pure.
   */
  static Optional<String> realmRefusal(String realm, String registryBase, List<String> allowedHosts) {
    URI uri;
    try {
      uri = new URI(realm);
    } catch (URISyntaxException e) {
      return Optional.of("registry token realm '" + realm + "' is not a URL");
    }
    String host = uri.getHost();
    if (host == null || uri.getScheme() == null) {
      return Optional.of("registry token realm '" + realm + "' is not an absolute URL");
    }
    boolean https = uri.getScheme().equalsIgnoreCase("https");
    if (!https && !(uri.getScheme().equalsIgnoreCase("http") && loopback(host))) {
      return Optional.of("registry token realm " + realm + " is not https; credentials are not sent to it");
    }
    String registryHost = Addresses.host(registryBase).orElse("");
    if (!host.equalsIgnoreCase(registryHost) && allowedHosts.stream().noneMatch(host::equalsIgnoreCase)) {
      return Optional.of("registry token realm host " + host + " is neither the registry's host " + registryHost
          + " nor in config." + IntegrationService.TOKEN_REALM_HOSTS + "; credentials are not sent to it");
    }
    return Optional.empty();
  }

  private static boolean loopback(String host) {
    return host.equalsIgnoreCase("localhost")
        || Addresses.literal(host).map(java.net.InetAddress::isLoopbackAddress).orElse(false);
  }

  /** Parses {@code Bearer realm="…",service="…",scope="…"}. Pure. */
  static Map<String, String> challengeParams(String challenge) {
    Map<String, String> params = new LinkedHashMap<>();
    Matcher m = PARAM.matcher(challenge);
    while (m.find()) {
      params.put(m.group(1), m.group(2));
    }
    return params;
  }
}
