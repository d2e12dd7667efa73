package org.stellaops.orchestrator.reporting;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.stellaops.orchestrator.integration.ResolvedIntegration;

/**
 * Installation tokens for a GitHub App
 * (https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/authenticating-as-a-github-app-installation): sign an RS256 JWT with the App's private
 * key ({@code iss} = {@code credentials.appId}, valid ten minutes at most), exchange it at
 * {@code POST /app/installations/{config.installationId}/access_tokens} for a token that lasts
 * an hour, and reuse that token until a minute before it expires.
 */
public final class GitHubAppTokens {

  private final WebClient http;
  private final Clock clock;
  private final Map<UUID, Cached> cache = new ConcurrentHashMap<>();

  private record Cached(String token, Instant expiresAt) {}

  public GitHubAppTokens(WebClient http, Clock clock) {
    this.http = http;
    this.clock = clock;
  }

  /** Whether the integration authenticates as an App rather than with {@code credentials.token}. */
  public static boolean isApp(ResolvedIntegration integration) {
    return integration.credential("token") == null && integration.credential("appId") != null
        && integration.credential("privateKey") != null;
  }

  public Future<String> token(ResolvedIntegration integration, String apiUrl) {
    Cached hit = cache.get(integration.id());
    Instant now = clock.instant();
    if (hit != null && hit.expiresAt().isAfter(now.plusSeconds(60))) {
      return Future.succeededFuture(hit.token());
    }
    String installation = String.valueOf(integration.config().getValue("installationId"));
    String jwt;
    try {
      jwt = appJwt(integration.credential("appId"), integration.credential("privateKey"), now);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return Future.failedFuture(new ReportClient.Permanent(integration.name()
          + ": credentials.privateKey is not a usable RSA private key"));
    }
    return http.postAbs(apiUrl + "/app/installations/" + installation + "/access_tokens").timeout(10_000)
        .putHeader("Authorization", "Bearer " + jwt)
        .putHeader("Accept", "application/vnd.github+json")
        .putHeader("X-GitHub-Api-Version", "2022-11-28")
        .send()
        .map(response -> {
          if (response.statusCode() != 201) {
            if (response.statusCode() == 429 || response.statusCode() >= 500) {
              throw new IllegalStateException(integration.name() + ": installation token request answered "
                  + response.statusCode());
            }
            throw new ReportClient.Permanent(integration.name() + ": GitHub refused the App's installation token ("
                + response.statusCode() + ")");
          }
          JsonObject body = response.bodyAsJsonObject();
          Instant expires = Instant.parse(body.getString("expires_at"));
          cache.put(integration.id(), new Cached(body.getString("token"), expires));
          return body.getString("token");
        });
  }

  /** The App's JWT: issued a minute ago (clock drift), expiring in nine minutes. Pure apart from signing. */
  static String appJwt(String appId, String pem, Instant now) throws GeneralSecurityException {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String claims = b64.encodeToString(new JsonObject().put("iat", now.getEpochSecond() - 60)
        .put("exp", now.getEpochSecond() + 540).put("iss", appId).encode().getBytes(StandardCharsets.UTF_8));
    Signature rsa = Signature.getInstance("SHA256withRSA");
    rsa.initSign(privateKey(pem));
    rsa.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
    return header + "." + claims + "." + b64.encodeToString(rsa.sign());
  }

  /**
   * Reads a PEM private key. GitHub hands out PKCS#1 ({@code BEGIN RSA PRIVATE KEY}), which Java
   * cannot read directly, so it is wrapped into PKCS#8 first.
   */
  static PrivateKey privateKey(String pem) throws GeneralSecurityException {
    boolean pkcs1 = pem.contains("BEGIN RSA PRIVATE KEY");
    String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    byte[] der = Base64.getDecoder().decode(base64);
    return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs1 ? wrapPkcs1(der) : der));
  }

  /** PKCS#8 = SEQUENCE { INTEGER 0, SEQUENCE { OID rsaEncryption, NULL }, OCTET STRING pkcs1 }. */
  static byte[] wrapPkcs1(byte[] pkcs1) {
    byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
        0x01, 0x05, 0x00};
    ByteArrayOutputStream inner = new ByteArrayOutputStream();
    inner.writeBytes(new byte[] {0x02, 0x01, 0x00});
    inner.writeBytes(algorithm);
    inner.writeBytes(tlv(0x04, pkcs1));
    return tlv(0x30, inner.toByteArray());
  }

  private static byte[] tlv(int tag, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int n = value.length;
    if (n < 0x80) {
      out.write(n);
    } else if (n < 0x100) {
      out.write(0x81);
      out.write(n);
    } else if (n < 0x10000) {
      out.write(0x82);
      out.write(n >> 8);
      out.write(n & 0xff);
    } else {
      out.write(0x83);
      out.write(n >> 16);
      out.write((n >> 8) & 0xff);
      out.write(n & 0xff);
    }
    out.writeBytes(value);
    return out.toByteArray();
  }
}
