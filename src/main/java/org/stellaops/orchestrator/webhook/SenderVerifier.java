package org.stellaops.orchestrator.webhook;

import java.util.Map;
import org.stellaops.orchestrator.crypto.ConstantTime;
import org.stellaops.orchestrator.crypto.Hmac;
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
    return Hmac.signatureMatches(secret, header, body);
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

  /** Constant-time ({@link ConstantTime#same}): neither content nor length leaks through timing. */
  static boolean same(String expected, String presented) {
    return ConstantTime.same(expected, presented);
  }
}
