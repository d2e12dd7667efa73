package org.stellaops.orchestrator.crypto;

import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Encrypts integration credentials at rest with AES-256-GCM under the master key. Each value
 * gets a fresh 96-bit nonce (stored in front of the ciphertext) and is bound to its integration
 * id as associated data, so a ciphertext copied onto another row does not decrypt.
 */
public final class CredentialCipher {

  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private final SecretKey key;
  private final SecureRandom random = new SecureRandom();

  public CredentialCipher(SecretKey key) {
    this.key = key;
  }

  public byte[] encrypt(UUID owner, JsonObject credentials) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      random.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(owner.toString().getBytes(StandardCharsets.US_ASCII));
      byte[] sealed = cipher.doFinal(credentials.encode().getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot encrypt credentials", e);
    }
  }

  /** Fails when the data was altered, belongs to another owner, or was sealed under another master key. */
  public JsonObject decrypt(UUID owner, byte[] data) {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, data, 0, NONCE_BYTES));
      cipher.updateAAD(owner.toString().getBytes(StandardCharsets.US_ASCII));
      byte[] plain = cipher.doFinal(data, NONCE_BYTES, data.length - NONCE_BYTES);
      return new JsonObject(new String(plain, StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot decrypt credentials of integration " + owner
          + " (altered, or encrypted under another STELLA_MASTER_KEY)", e);
    }
  }
}
