package org.stellaops.orchestrator.release;

import java.util.regex.Pattern;

/**
 * Formats the version map and releases accept, from the API and from webhooks alike (one
 * definition, so a tag a webhook records is always one the API would have taken).
 */
public final class Digests {

  /** An OCI content digest as releases pin it. */
  static final Pattern SHA256 = Pattern.compile("sha256:[a-f0-9]{64}");
  /** A Docker/OCI tag. */
  static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

  static final String SHA256_EXPECTED = "sha256: followed by 64 lower-case hex characters";
  static final String TAG_EXPECTED = "an image tag (letters, digits, '_', '.', '-'; at most 128)";

  private Digests() {}

  /**
   * An OCI tag: {@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}}
   * (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests).
   */
  public static boolean isTag(String tag) {
    return tag != null && TAG.matcher(tag).matches();
  }

  public static boolean isSha256(String digest) {
    return digest != null && SHA256.matcher(digest).matches();
  }

  /** What a valid tag looks like, for messages. */
  public static String tagExpected() {
    return TAG_EXPECTED;
  }
}
