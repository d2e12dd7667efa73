package org.stellaops.orchestrator.release;

import java.util.regex.Pattern;

/** Formats the version map and releases accept. */
final class Digests {

  /** An OCI content digest as releases pin it. */
  static final Pattern SHA256 = Pattern.compile("sha256:[a-f0-9]{64}");
  /** A Docker/OCI tag. */
  static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

  static final String SHA256_EXPECTED = "sha256: followed by 64 lower-case hex characters";
  static final String TAG_EXPECTED = "an image tag (letters, digits, '_', '.', '-'; at most 128)";

  private Digests() {}
}
