package org.stellaops.orchestrator.auth;

import java.security.MessageDigest;
import org.stellaops.orchestrator.crypto.RandomTokens;
import org.stellaops.orchestrator.crypto.Sha256;

/**
 * Service-account tokens: {@code stella_sa_} followed by 43 url-safe characters (256 random
 * bits). Only SHA-256 of the whole token is stored: a slow password hash buys nothing for a
 * 256-bit random secret. The first 12 random characters double as a lookup key, so
 * verification reads one row by an indexed key and then compares hashes in constant time;
 * no lookup ever depends on the secret's hash.
 */
public final class Tokens {

  public static final String SERVICE_ACCOUNT_PREFIX = "stella_sa_";
  static final int LOOKUP_LENGTH = 12;
  private static final int RANDOM_BYTES = 32;

  private Tokens() {}

  public record Issued(String token, String lookup, byte[] hash) {}

  public static Issued newServiceAccountToken() {
    return issue(SERVICE_ACCOUNT_PREFIX);
  }

  /** A token for the bootstrap admin when the operator gave none. */
  public static String newAdminToken() {
    return issue("stella_admin_").token();
  }

  private static Issued issue(String prefix) {
    String secret = RandomTokens.of(RANDOM_BYTES);
    String token = prefix + secret;
    return new Issued(token, secret.substring(0, LOOKUP_LENGTH), hash(token));
  }

  /** The lookup key of a presented service-account token, or null if it cannot be one. */
  public static String lookupOf(String token) {
    if (!token.startsWith(SERVICE_ACCOUNT_PREFIX)
        || token.length() < SERVICE_ACCOUNT_PREFIX.length() + LOOKUP_LENGTH) {
      return null;
    }
    return token.substring(SERVICE_ACCOUNT_PREFIX.length(), SERVICE_ACCOUNT_PREFIX.length() + LOOKUP_LENGTH);
  }

  public static byte[] hash(String token) {
    return Sha256.of(token);
  }

  /** Constant-time comparison of a presented token against a stored hash. */
  public static boolean matches(String presented, byte[] storedHash) {
    return storedHash != null && MessageDigest.isEqual(hash(presented), storedHash);
  }
}
