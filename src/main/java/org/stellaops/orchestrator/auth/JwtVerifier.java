package org.stellaops.orchestrator.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stellaops.orchestrator.platform.AppConfig;

/**
 * Verifies bearer JWTs from an external identity provider (signature, {@code iss}, {@code aud},
 * {@code exp}) against a static public key or the provider's JWKS, refreshed on a timer so key
 * rotation needs no restart. The roles claim maps onto {@link Roles}; unknown roles grant nothing.
 */
public final class JwtVerifier {

  private static final Logger LOG = LoggerFactory.getLogger(JwtVerifier.class);

  private final Vertx vertx;
  private final AppConfig.Jwt config;
  private final WebClient http;
  private volatile JWTAuth auth;
  private long refreshTimer = -1;

  public JwtVerifier(Vertx vertx, AppConfig.Jwt config, WebClient http) {
    this.vertx = vertx;
    this.config = config;
    this.http = http;
  }

  /** Loads the keys once; with a JWKS URL, keeps refreshing them. */
  public Future<Void> start() {
    if (config.publicKey().isPresent()) {
      auth = JWTAuth.create(vertx, options().addPubSecKey(new PubSecKeyOptions()
          .setAlgorithm(config.algorithm())
          .setBuffer(pem(config.publicKey().get()))));
      return Future.succeededFuture();
    }
    return refresh().onSuccess(v -> refreshTimer = vertx.setPeriodic(config.jwksRefreshSeconds() * 1000L,
        id -> refresh().onFailure(e -> LOG.warn("JWKS refresh failed, keeping the previous keys: {}",
            e.getMessage()))));
  }

  public void stop() {
    if (refreshTimer >= 0) {
      vertx.cancelTimer(refreshTimer);
    }
  }

  private Future<Void> refresh() {
    String url = config.jwksUrl().orElseThrow();
    return http.getAbs(url).send().map(response -> {
      if (response.statusCode() != 200) {
        throw new IllegalStateException("JWKS endpoint " + url + " answered " + response.statusCode());
      }
      JsonArray keys = response.bodyAsJsonObject().getJsonArray("keys", new JsonArray());
      JWTAuthOptions options = options();
      keys.stream().filter(JsonObject.class::isInstance).map(JsonObject.class::cast)
          // Encryption keys and unusable key types would make JWTAuth reject the whole set.
          .filter(k -> !"enc".equals(k.getString("use")))
          .forEach(options::addJwk);
      auth = JWTAuth.create(vertx, options);
      LOG.info("loaded {} signing keys from {}", options.getJwks().size(), url);
      return null;
    });
  }

  private JWTAuthOptions options() {
    JWTOptions jwt = new JWTOptions().setIssuer(config.issuer().orElseThrow());
    config.audience().ifPresent(aud -> jwt.setAudience(List.of(aud)));
    return new JWTAuthOptions().setJWTOptions(jwt);
  }

  /** The principal for a valid token; a failed future for anything else. */
  public Future<Principal> verify(String token) {
    JWTAuth current = auth;
    if (current == null) {
      return Future.failedFuture("JWT keys are not loaded");
    }
    return current.authenticate(new TokenCredentials(token)).map(user -> {
      JsonObject claims = user.principal();
      List<String> roles = rolesFrom(claims, config.rolesClaim());
      String subject = String.valueOf(claims.getValue(config.subjectClaim(), claims.getString("sub", "unknown")));
      Set<Permission> permissions = Roles.expand(roles, List.of());
      return new Principal(Principal.USER, subject, subject, permissions);
    });
  }

  /** Reads a list (or a space-separated string) of roles at a dotted claim path. Pure. */
  static List<String> rolesFrom(JsonObject claims, String path) {
    Object node = claims;
    for (String part : path.split("\\.")) {
      if (!(node instanceof JsonObject object)) {
        return List.of();
      }
      node = object.getValue(part);
    }
    List<String> roles = new ArrayList<>();
    if (node instanceof JsonArray array) {
      array.forEach(v -> roles.add(String.valueOf(v)));
    } else if (node instanceof Collection<?> list) {
      list.forEach(v -> roles.add(String.valueOf(v)));
    } else if (node instanceof String s) {
      roles.addAll(List.of(s.trim().split("\\s+")));
    }
    return roles;
  }

  private static Buffer pem(String key) {
    String text = key.contains("BEGIN") ? key : "-----BEGIN PUBLIC KEY-----\n" + key + "\n-----END PUBLIC KEY-----";
    return Buffer.buffer(text);
  }
}
