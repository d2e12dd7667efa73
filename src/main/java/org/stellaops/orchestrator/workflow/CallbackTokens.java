package org.stellaops.orchestrator.workflow;

import org.stellaops.orchestrator.auth.Tokens;
import org.stellaops.orchestrator.crypto.RandomTokens;
import org.stellaops.orchestrator.platform.ApiException;

/**
 * Per-job deploy callback tokens: {@code stella_cb_} and 43 url-safe characters (256 random
 * bits), sent once in the deploy request, stored only as SHA-256 (like service-account tokens:
 * a slow hash buys nothing for a random 256-bit secret) and compared in constant time. Like a
 * GitLab pipeline trigger token or a per-hook webhook secret, the token alone authenticates
 * the deploy target, which needs no account on the gateway; it finishes one deployment job
 * and nothing else.
 */
final class CallbackTokens {

  static final String PREFIX = "stella_cb_";
  /** Where a deploy target may send the token instead of {@code Authorization: Bearer}. */
  static final String HEADER = "X-Stella-Callback-Token";

  private CallbackTokens() {}

  static String issue() {
    return PREFIX + RandomTokens.of(32);
  }

  static byte[] hash(String token) {
    return Tokens.hash(token);
  }

  /** Constant-time: {@link java.security.MessageDigest#isEqual} on the hashes. */
  static boolean matches(String presented, byte[] storedHash) {
    return Tokens.matches(presented, storedHash);
  }

  /** The one answer to every token that does not finish this job, whatever the reason. */
  static ApiException refused(String jobId) {
    return ApiException.unauthorized("the callback token is not valid for deployment " + jobId
        + " (wrong token, another deployment's, already used, or the deployment has ended)");
  }
}
