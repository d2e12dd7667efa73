package org.stellaops.orchestrator.citrust;

/**
 * How a CI trust policy's claim value is compared with a token's claim: exactly, except that
 * {@code *} stands for any run of characters (none included, {@code /} included) and {@code ?}
 * for exactly one. There is no escape and no other syntax: {@code refs/tags/v*} matches
 * {@code refs/tags/v1.2.0}; {@code myorg/myapp} matches only itself. Case-sensitive, like the
 * claims. Pure; linear in practice (one backtrack point, no regular expression).
 */
public final class ClaimPatterns {

  private ClaimPatterns() {}

  public static boolean matches(String pattern, String value) {
    int p = 0;
    int v = 0;
    int star = -1;
    int resume = 0;
    while (v < value.length()) {
      if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        resume = v;
      } else if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == value.charAt(v))) {
        p++;
        v++;
      } else if (star >= 0) {
        p = star + 1;
        v = ++resume;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }

  /** Whether {@code pattern} is made only of {@code *}, and so matches every value. Pure. */
  public static boolean matchesEverything(String pattern) {
    return !pattern.isEmpty() && pattern.chars().allMatch(c -> c == '*');
  }
}
