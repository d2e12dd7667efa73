package org.stellaops.orchestrator.crypto;

import java.security.MessageDigest;

/** Comparisons of secrets whose duration says nothing about the secret. Pure. */
public final class ConstantTime {

  private ConstantTime() {}

  /**
   * Compares digests of both values, so neither the content nor the length of {@code expected}
   * leaks through timing. False when {@code presented} is null.
   */
  public static boolean same(String expected, String presented) {
    if (presented == null) {
      return false;
    }
    return MessageDigest.isEqual(Sha256.of(expected), Sha256.of(presented));
  }
}
