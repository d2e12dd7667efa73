package org.stellaops.orchestrator.crypto;

import java.security.SecureRandom;
import java.util.Base64;

/** Unguessable tokens: random bytes from {@link SecureRandom}, as unpadded base64url. */
public final class RandomTokens {

  private static final SecureRandom RANDOM = new SecureRandom();

  private RandomTokens() {}

  /** {@code bytes} random bytes as unpadded base64url (43 characters for 32 bytes). */
  public static String of(int bytes) {
    byte[] random = new byte[bytes];
    RANDOM.nextBytes(random);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
  }
}
