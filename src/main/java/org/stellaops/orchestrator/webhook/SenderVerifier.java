package org.stellaops.orchestrator.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.stellaops.orchestrator.integration.IntegrationType.SenderAuth;

/**
 * Checks that a webhook comes from the integration's sender, the way each vendor can prove it
 * (https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries,
 * https://docs.gitlab.com/user/project/integrations/webhooks/): an HMAC-SHA256 of the raw body (GitHub), the shared token in
 * {@code X-Gitlab-Token}, the {@code Authorization} header value (distribution, Harbor, ACR,
 * ECR), or {@code ?secret=} where the sender cannot sign (Docker Hub, Quay, Pub/Sub). Every
 * comparison is constant-time. Pure.
 */
public final class SenderVerifier {

  private SenderVerifier() {}

  /**
   * @param secret the integration's {@code credentials.webhookSecret}; null means none is set,
   *     and then nothing verifies (an integration without a secret accepts no webhooks)
   * @param headers request headers, names in lower case
   * @param querySecret the {@code secret} query parameter, or null
   */
  public static boolean verify(SenderAuth auth, String secret, Map<String, String> headers, String querySecret,
      byte[] rawBody) {
    if (secret == null || secret.isEmpty()) {
      return false;
    }
    return switch (auth) {
      case HMAC_SHA256 -> hmacMatches(secret, headers.get("x-hub-signature-256"), rawBody);
      case GITLAB_TOKEN -> same(secret, headers.get("x-gitlab-token"));
      case AUTHORIZATION_HEADER -> authorizationMatches(secret, headers.get("authorization"));
      case QUERY_SECRET -> same(secret, querySecret);
      case AUTHORIZATION_HEADER_OR_QUERY -> authorizationMatches(secret, headers.get("authorization"))
          || same(secret, querySecret);
      case NONE -> false;
    };
  }

  /** {@code X-Hub-Signature-256: sha256=<lower-case hex HMAC-SHA256(secret, raw body)>}. */
  static boolean hmacMatches(String secret, String header, byte[] body) {
    if (header == null || !header.startsWith("sha256=")) {
      return false;
    }
    byte[] expected = HexFormat.of().formatHex(hmac(secret, body)).getBytes(StandardCharsets.US_ASCII);
    byte[] presented = header.substring(7).trim().toLowerCase().getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, presented);
  }

  /** The header as sent: {@code Bearer <secret>} (distribution, ECR), {@code Secret <secret>} (Harbor 1.x) or the bare secret. */
  static boolean authorizationMatches(String secret, String header) {
    if (header == null) {
      return false;
    }
    String value = header.trim();
    for (String scheme : new String[] {"Bearer ", "Secret ", "Token "}) {
      if (value.regionMatches(true, 0, scheme, 0, scheme.length())) {
        value = value.substring(scheme.length()).trim();
        break;
      }
    }
    return same(secret, value);
  }

  public static byte[] hmac(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Compares digests of both values, so neither the content nor the length leaks through timing.
   * One digest per thread: {@code MessageDigest.getInstance} looks the provider up on every call.
   */
  static boolean same(String expected, String presented) {
    if (presented == null) {
      return false;
    }
    MessageDigest sha = SHA256.get();
    byte[] a = sha.digest(expected.getBytes(StandardCharsets.UTF_8));
    byte[] b = sha.digest(presented.getBytes(StandardCharsets.UTF_8));
    return MessageDigest.isEqual(a, b);
  }

  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  });
}
