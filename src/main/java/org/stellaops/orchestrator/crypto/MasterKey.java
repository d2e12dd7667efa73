package org.stellaops.orchestrator.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.FileAlreadyExistsException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.stellaops.orchestrator.platform.ConfigLoader;
import org.stellaops.orchestrator.platform.Secrets;

/**
 * The AES-256 key that encrypts integration credentials at rest. Taken from
 * {@code STELLA_MASTER_KEY} when set; otherwise read from {@code dataDir/master.key}, which is
 * generated on first start, owner-only (0600) from the moment it exists. The key is never logged.
 */
public final class MasterKey {

  private static final int KEY_BYTES = 32;

  private MasterKey() {}

  public static SecretKey load(Optional<String> configured, Path dataDir) {
    if (configured.isPresent()) {
      return decode(configured.get(), "masterKey (STELLA_MASTER_KEY)");
    }
    Path file = dataDir.resolve("master.key");
    try {
      if (Files.isRegularFile(file)) {
        Secrets.restrictFileToOwner(file);
        return decode(Files.readString(file, StandardCharsets.US_ASCII).trim(), file.toString());
      }
      byte[] key = new byte[KEY_BYTES];
      new SecureRandom().nextBytes(key);
      try {
        Secrets.writeOwnerOnly(file, Base64.getEncoder().encodeToString(key));
      } catch (FileAlreadyExistsException raced) {
        // Another process sharing the data directory made it first: use that one.
        return decode(Files.readString(file, StandardCharsets.US_ASCII).trim(), file.toString());
      }
      return new SecretKeySpec(key, "AES");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read or create " + file + ": " + e.getMessage(), e);
    }
  }

  static SecretKey decode(String base64, String source) {
    byte[] key;
    try {
      key = Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new ConfigLoader.ConfigException(java.util.List.of(source + " is not valid base64"));
    }
    if (key.length != KEY_BYTES) {
      throw new ConfigLoader.ConfigException(java.util.List.of(
          source + " must decode to 32 bytes, got " + key.length));
    }
    return new SecretKeySpec(key, "AES");
  }
}
