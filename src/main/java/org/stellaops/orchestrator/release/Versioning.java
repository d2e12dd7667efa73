package org.stellaops.orchestrator.release;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a tag means under a component's versioning strategy: its semantic version, whether it
 * is a prerelease, and its channel. Pure.
 *
 * <p>Rules: the version text is the tag pattern's first group (or whole match), else the tag
 * without a leading "v". Under {@code semver}, a prerelease goes to the channel named by its
 * first identifier ({@code 1.2.0-beta.1} → {@code beta}, {@code -rc1} → {@code rc}); anything
 * else goes to the component's default channel. An explicit channel always wins.
 */
public final class Versioning {

  public static final Set<String> STRATEGIES = Set.of("semver", "date", "sequential", "manual");

  // semver.org's grammar, with an optional leading "v" already removed.
  private static final Pattern SEMVER = Pattern.compile(
      "(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)"
          + "(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
          + "(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?");

  private Versioning() {}

  public record Derived(String semver, String channel, boolean prerelease) {}

  public static Derived derive(String strategy, String tagPattern, String defaultChannel, String tag,
      String explicitChannel) {
    String semver = null;
    boolean prerelease = false;
    String channel = defaultChannel;
    if ("semver".equals(strategy)) {
      String text = versionText(tagPattern, tag);
      Matcher m = text == null ? null : SEMVER.matcher(text);
      if (m != null && m.matches()) {
        semver = text;
        prerelease = m.group(4) != null;
        if (prerelease) {
          channel = channelOf(m.group(4));
        }
      }
    }
    if (explicitChannel != null) {
      channel = explicitChannel;
    }
    return new Derived(semver, channel, prerelease);
  }

  static String versionText(String tagPattern, String tag) {
    if (tagPattern != null) {
      com.google.re2j.Matcher m = TagPatterns.compiled(tagPattern).map(p -> p.matcher(tag)).orElse(null);
      if (m == null || !m.matches()) {
        return null;
      }
      return m.groupCount() > 0 ? m.group(1) : m.group();
    }
    return tag.startsWith("v") || tag.startsWith("V") ? tag.substring(1) : tag;
  }

  private static String channelOf(String prerelease) {
    String first = prerelease.split("\\.", 2)[0].toLowerCase(Locale.ROOT).replaceAll("[^a-z]+$", "");
    return first.isEmpty() || !Character.isLetter(first.charAt(0)) ? "prerelease" : first;
  }
}
