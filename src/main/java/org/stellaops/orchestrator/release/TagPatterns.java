package org.stellaops.orchestrator.release;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Users' tag patterns ({@code versioningStrategy.tagPattern}, {@code autoRelease.tagPattern}),
 * compiled with RE2/J: matching runs in time linear in the tag whatever the pattern, so a
 * pattern such as {@code (a+)+$} cannot stall the event loop that applies a pushed tag.
 * RE2 syntax has no backreferences and no lookaround (https://github.com/google/re2/wiki/Syntax);
 * such patterns are refused when saved.
 *
 * <p>Compiled patterns are memoised by their text (a pure function, bounded), so a pattern is
 * compiled when it is saved and reused for every tag afterwards. A stored pattern RE2 cannot
 * compile never matches, and is logged once per process.
 */
public final class TagPatterns {

  private static final Logger LOG = LoggerFactory.getLogger(TagPatterns.class);
  private static final int MAX_CACHED = 10_000;
  private static final Cache<String, Optional<Pattern>> COMPILED = Caffeine.newBuilder()
      .maximumSize(MAX_CACHED)
      .build();

  private TagPatterns() {}

  /** RE2's description of why {@code regex} is refused, or empty when it compiles. */
  public static Optional<String> problem(String regex) {
    try {
      COMPILED.put(regex, Optional.of(Pattern.compile(regex)));
      return Optional.empty();
    } catch (PatternSyntaxException e) {
      return Optional.of(e.getDescription() + (e.getPattern() == null || e.getPattern().isEmpty()
          ? "" : " in '" + e.getPattern() + "'"));
    }
  }

  /** The compiled pattern; empty (never matches) for a stored pattern RE2 cannot compile. */
  static Optional<Pattern> compiled(String regex) {
    return COMPILED.get(regex, text -> {
      try {
        return Optional.of(Pattern.compile(text));
      } catch (PatternSyntaxException e) {
        LOG.warn("tag pattern '{}' is not valid RE2 syntax ({}); it matches no tag until the component is "
            + "updated", text, e.getDescription());
        return Optional.empty();
      }
    });
  }
}
