package org.stellaops.orchestrator.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * SHA-256 digests. One {@link MessageDigest} per thread: {@code MessageDigest.getInstance} looks
 * the provider up on every call, and some callers digest on every request. Pure.
 */
public final class Sha256 {

  private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JRE has SHA-256", e);
    }
  });

  private Sha256() {}

  public static byte[] of(byte[] data) {
    return DIGEST.get().digest(data);
  }

  /** The digest of the UTF-8 bytes of {@code text}. */
  public static byte[] of(String text) {
    return of(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The digest as lower-case hex. */
  public static String hex(byte[] data) {
    return HexFormat.of().formatHex(of(data));
  }
}
