package org.stellaops.orchestrator.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** One page of a keyset-paginated list; {@code nextCursor} is null on the last page. */
public record Page<T>(List<T> items, String nextCursor, int limit) {

  /**
   * Builds a page from a query that asked for {@code limit + 1} rows: the extra row only proves
   * that another page exists, and the cursor points after the last row kept.
   */
  public static <T> Page<T> of(List<T> fetched, int limit, Function<T, Cursor> cursorOf) {
    List<T> items = new ArrayList<>(fetched);
    String next = null;
    if (items.size() > limit) {
      items.subList(limit, items.size()).clear();
      next = cursorOf.apply(items.get(limit - 1)).encode();
    }
    return new Page<>(items, next, limit);
  }
}
