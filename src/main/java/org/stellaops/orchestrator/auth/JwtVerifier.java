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
import java.util.Optional;
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
 *
 * <p>Guarantees: a token is accepted only when it passes {@link JwtRules#refusal} (an algorithm of
 * {@link AppConfig.Jwt#ALLOWED_ALGORITHMS}, a non-empty signature), the signature verifies under a
 * loaded key, and it has a numeric {@code exp} in the future. The verifier never runs without a
 * usable key (Vert.x's JWT provider with no key at all accepts unsigned tokens): start-up fails
 * when the key set yields none, and a refresh that yields none keeps the keys already loaded.
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

  /** Loads the keys once (failing when none is usable); with a JWKS URL, keeps refreshing them. */
  public Future<Void> start() {
    if (config.audience().isEmpty()) {
      LOG.warn("jwt.audience (STELLA_JWT_AUDIENCE) is empty: a token your identity provider issued for any "
          + "other application is accepted here too; set it to the audience issued for this gateway");
    }
    if (config.publicKey().isPresent()) {
      try {
        auth = JWTAuth.create(vertx, options().addPubSecKey(new PubSecKeyOptions()
            .setAlgorithm(config.algorithm())
            .setBuffer(pem(config.publicKey().get()))));
        return Future.succeededFuture();
      } catch (RuntimeException e) {
        return Future.failedFuture(new IllegalStateException("jwt.publicKey (STELLA_JWT_PUBLIC_KEY) is not a usable "
            + config.algorithm() + " public key: " + e.getMessage()));
      }
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

  /** Fetches the key set and swaps it in only when it holds at least one usable signing key. */
  Future<Void> refresh() {
    String url = config.jwksUrl().orElseThrow();
    return JwtRules.fetchKeys(http, url).map(usable -> {
      JWTAuthOptions options = options();
      usable.forEach(options::addJwk);
      auth = JWTAuth.create(vertx, options);
      LOG.info("loaded {} signing keys from {}", usable.size(), url);
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
    Optional<String> refused = JwtRules.refusal(token);
    if (refused.isPresent()) {
      return Future.failedFuture(refused.get());
    }
    return current.authenticate(new TokenCredentials(token)).map(user -> {
      JsonObject claims = user.principal();
      // Vert.x moves exp, iat, nbf and sub out of the principal into the user's attributes.
      if (!(user.attributes().getValue("exp") instanceof Number)) {
        throw new IllegalStateException("the token has no exp claim");
      }
      List<String> roles = rolesFrom(claims, config.rolesClaim());
      // The id is always sub, which the provider never reassigns (unlike a username or an email a
      // user may change): approvals and idempotency keys rely on it. The subject claim only names.
      Object sub = user.attributes().getValue("sub");
      if (sub == null) {
        throw new IllegalStateException("the token has no sub claim");
      }
      String id = String.valueOf(sub);
      String name = String.valueOf(claims.getValue(config.subjectClaim(), id));
      Set<Permission> permissions = Roles.expand(roles, List.of());
      return new Principal(Principal.USER, id, name, permissions);
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
