package org.stellaops.orchestrator.auth;

import org.stellaops.orchestrator.platform.CappedBody;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.impl.jose.JWK;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.stellaops.orchestrator.platform.AppConfig;

/**
 * The rules every bearer JWT the gateway accepts is held to, whoever issued it (the users'
 * identity provider or a CI system's OIDC issuer), and the one way their signing keys are fetched.
 *
 * <p>Guarantees: a token passes {@link #refusal} only with three segments, a non-empty signature
 * and a header algorithm of {@link AppConfig.Jwt#ALLOWED_ALGORITHMS}; a key set from
 * {@link #fetchKeys} holds at least one key of {@link #usableKeys}, because a Vert.x verifier with
 * no key at all accepts unsigned tokens.
 */
public final class JwtRules {

  private static final Base64.Decoder B64URL = Base64.getUrlDecoder();

  private JwtRules() {}

  /**
   * Why a token's shape alone rules it out, checked before any key is tried: three segments, a
   * non-empty signature, and a header algorithm on the allowlist (so {@code none} and HS* never
   * reach a verifier, whatever keys it holds). Pure.
   */
  public static Optional<String> refusal(String token) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      return Optional.of("a JWT has three segments");
    }
    if (parts[2].isEmpty()) {
      return Optional.of("the token is not signed");
    }
    Optional<JsonObject> header = header(token);
    if (header.isEmpty()) {
      return Optional.of("the token header is not base64url JSON");
    }
    String alg = header.get().getValue("alg") instanceof String s ? s : null;
    if (alg == null || !AppConfig.Jwt.ALLOWED_ALGORITHMS.contains(alg)) {
      return Optional.of("the token's algorithm " + alg + " is not one of " + AppConfig.Jwt.ALLOWED_ALGORITHMS);
    }
    return Optional.empty();
  }

  /** The token's header, decoded but not verified; empty when it is not base64url JSON. Pure. */
  public static Optional<JsonObject> header(String token) {
    return segment(token, 0);
  }

  /**
   * The token's claims, decoded but NOT verified: only for choosing how to verify it (which
   * issuer's keys), never for a decision about the caller. Pure.
   */
  public static Optional<JsonObject> unverifiedClaims(String token) {
    return segment(token, 1);
  }

  private static Optional<JsonObject> segment(String token, int index) {
    String[] parts = token.split("\\.", -1);
    if (parts.length <= index) {
      return Optional.empty();
    }
    try {
      return Optional.of(new JsonObject(new String(B64URL.decode(parts[index]), StandardCharsets.UTF_8)));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * The keys that can verify an allowed algorithm: signature keys (not {@code use: enc}) that
   * parse, with an algorithm on the allowlist. Symmetric ({@code oct}) keys never qualify. Pure.
   */
  public static List<JsonObject> usableKeys(JsonArray keys) {
    List<JsonObject> usable = new ArrayList<>();
    for (Object entry : keys) {
      if (!(entry instanceof JsonObject key) || "enc".equals(key.getString("use"))) {
        continue;
      }
      try {
        if (AppConfig.Jwt.ALLOWED_ALGORITHMS.contains(new JWK(key).getAlgorithm())) {
          usable.add(key);
        }
      } catch (RuntimeException e) {
        // An unparseable or unsupported key: skipped, like a key of an unknown type.
      }
    }
    return usable;
  }

  /**
   * The usable keys of the JWKS at {@code url}, through {@code http} (the egress-controlled
   * client; redirects are not followed). Fails when the answer is not a 200 JSON key set holding
   * at least one usable key.
   */
  /**
   * A capped answer as a JSON object; null when it is not one. An answer past the cap fails:
   * an identity provider's documents are a few KiB, and a larger one is not held in memory.
   */
  public static JsonObject jsonObject(CappedBody.Result body, String what) {
    if (body != null && body.truncated()) {
      throw new IllegalStateException(what + " answered more than " + CappedBody.KEY_DOCUMENT_LIMIT + " bytes");
    }
    try {
      return body == null || body.text().isEmpty() ? null : new JsonObject(body.text());
    } catch (RuntimeException e) {
      return null;
    }
  }

  public static Future<List<JsonObject>> fetchKeys(WebClient http, String url) {
    return http.getAbs(url).followRedirects(false).timeout(FETCH_TIMEOUT_MILLIS)
        .as(new CappedBody(CappedBody.KEY_DOCUMENT_LIMIT)).send().map(response -> {
      if (response.statusCode() != 200) {
        throw new IllegalStateException("JWKS endpoint " + url + " answered " + response.statusCode());
      }
      JsonObject body = jsonObject(response.body(), "JWKS endpoint " + url);
      if (body == null) {
        throw new IllegalStateException("JWKS endpoint " + url + " did not answer a JSON object");
      }
      Object listed = body == null ? null : body.getValue("keys");
      JsonArray keys = listed instanceof JsonArray array ? array : new JsonArray();
      List<JsonObject> usable = usableKeys(keys);
      if (usable.isEmpty()) {
        throw new IllegalStateException("JWKS at " + url + " holds no usable signing key (" + keys.size()
            + " keys; a usable one is an RSA, EC or OKP key for signatures with an algorithm of "
            + AppConfig.Jwt.ALLOWED_ALGORITHMS + ")");
      }
      return usable;
    });
  }

  /** How long a key or discovery fetch may take before it fails. */
  public static final long FETCH_TIMEOUT_MILLIS = 10_000;
}
