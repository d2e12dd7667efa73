package org.stellaops.orchestrator.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** A test identity provider: an RSA key pair that signs RS256 JWTs and publishes itself as PEM or JWKS. */
public final class Jwts {

  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  private final KeyPair keys;
  private final String kid;

  public Jwts(String kid) {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
      gen.initialize(2048);
      this.keys = gen.generateKeyPair();
      this.kid = kid;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public String publicKeyPem() {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----";
  }

  public JsonObject jwks() {
    RSAPublicKey pub = (RSAPublicKey) keys.getPublic();
    return new JsonObject().put("keys", new JsonArray().add(new JsonObject()
        .put("kty", "RSA").put("use", "sig").put("alg", "RS256").put("kid", kid)
        .put("n", B64URL.encodeToString(unsigned(pub.getModulus())))
        .put("e", B64URL.encodeToString(unsigned(pub.getPublicExponent())))));
  }

  /** A signed token with standard claims plus {@code extra}; {@code ttlSeconds} may be negative (expired). */
  public String sign(String issuer, String audience, String subject, long ttlSeconds, JsonObject extra) {
    return signClaims(claims(issuer, audience, subject, ttlSeconds, extra));
  }

  /** The standard claims plus {@code extra}, for tests that remove or alter one before signing. */
  public static JsonObject claims(String issuer, String audience, String subject, long ttlSeconds, JsonObject extra) {
    long now = Instant.now().getEpochSecond();
    return new JsonObject().put("iss", issuer).put("aud", audience).put("sub", subject)
        .put("iat", now).put("exp", now + ttlSeconds).mergeIn(extra);
  }

  /** {@code claims} exactly as given, signed RS256 with this provider's key. */
  public String signClaims(JsonObject claims) {
    return signClaimsAs(kid, claims);
  }

  /** {@code claims} signed RS256 with this provider's key, under another key id in the header. */
  public String signClaimsAs(String headerKid, JsonObject claims) {
    String signingInput = segments("RS256", headerKid, claims);
    try {
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initSign(keys.getPrivate());
      rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + B64URL.encodeToString(rsa.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** An {@code alg: none} token: header and claims, and an empty signature segment. */
  public String unsignedToken(JsonObject claims) {
    return segments("none", claims) + ".";
  }

  /**
   * An HS256 token whose HMAC key is the text of this provider's public key PEM: the classic
   * algorithm-confusion forgery, which anyone holding the public key can make.
   */
  public String hs256WithPublicKey(JsonObject claims) {
    String signingInput = segments("HS256", claims);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(publicKeyPem().getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
      return signingInput + "." + B64URL.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private String segments(String alg, JsonObject claims) {
    return segments(alg, kid, claims);
  }

  private static String segments(String alg, String kid, JsonObject claims) {
    JsonObject header = new JsonObject().put("alg", alg).put("typ", "JWT").put("kid", kid);
    return B64URL.encodeToString(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
        + B64URL.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    if (bytes[0] == 0 && bytes.length > 1) {
      byte[] trimmed = new byte[bytes.length - 1];
      System.arraycopy(bytes, 1, trimmed, 0, trimmed.length);
      return trimmed;
    }
    return bytes;
  }
}
