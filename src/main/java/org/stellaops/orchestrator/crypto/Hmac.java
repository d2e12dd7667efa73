package org.stellaops.orchestrator.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256, and the {@code sha256=<lower-case hex>} signature header built from it: the one
 * GitHub sends in {@code X-Hub-Signature-256}
 * (https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries) and the
 * gateway sends its event subscribers. Signatures are checked in constant time. Pure.
 */
public final class Hmac {

  private static final String ALGORITHM = "HmacSHA256";
  private static final String SIGNATURE_PREFIX = "sha256=";

  private Hmac() {}

  /** HMAC-SHA256 of {@code data} under {@code key}. */
  public static byte[] sha256(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key, ALGORITHM));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JRE has " + ALGORITHM, e);
    }
  }

  /** HMAC-SHA256 of {@code data} under the UTF-8 bytes of a shared secret. */
  public static byte[] sha256(String secret, byte[] data) {
    return sha256(secret.getBytes(StandardCharsets.UTF_8), data);
  }

  /** {@code sha256=<lower-case hex HMAC-SHA256(secret, body)>}. */
  public static String signature(String secret, byte[] body) {
    return SIGNATURE_PREFIX + HexFormat.of().formatHex(sha256(secret, body));
  }

  /**
   * Whether {@code header} is the signature of {@code body} under {@code secret} (hex digits in
   * either case, surrounding blanks ignored); false when it is missing or not of that form.
   */
  public static boolean signatureMatches(String secret, String header, byte[] body) {
    if (header == null || !header.startsWith(SIGNATURE_PREFIX)) {
      return false;
    }
    byte[] expected = HexFormat.of().formatHex(sha256(secret, body)).getBytes(StandardCharsets.US_ASCII);
    byte[] presented = header.substring(SIGNATURE_PREFIX.length()).trim().toLowerCase()
        .getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, presented);
  }
}
