package org.stellaops.orchestrator.release;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link VersionRepository#plan}: a batch of tag changes means what the changes one after another mean. */
class VersionPlanTest {

  private static final UUID APP = UUID.fromString("0190a1b2-0000-7000-8000-000000000001");
  private static final Versioning.Derived PLAIN = new Versioning.Derived(null, "stable", false);

  private static VersionRepository.Change change(String tag, String digest) {
    return new VersionRepository.Change(APP, tag, digest, PLAIN, VersionEntry.SOURCE_WEBHOOK, "integration:test");
  }

  private static VersionRepository.Key key(String tag) {
    return new VersionRepository.Key(APP, tag);
  }

  @Test
  @DisplayName("a tag moved twice in a batch appends two moves, each naming the digest it replaced; the entry is the last")
  void movesChain() {
    VersionRepository.Plan plan = VersionRepository.plan(List.of(change("v1", "b"), change("v1", "c")),
        Map.of(key("v1"), new VersionRepository.Current("a", false)));
    assertThat(plan.changed()).containsExactly(true, true);
    assertThat(plan.moves()).extracting(VersionRepository.Change::digest).containsExactly("b", "c");
    assertThat(plan.previous()).containsExactly("a", "b");
    assertThat(plan.entries()).extracting(VersionRepository.Change::digest).containsExactly("c");
  }

  @Test
  @DisplayName("the digest a tag already has changes nothing, unless a delete marked it; a repeat within the batch changes nothing")
  void repeatsAndDeletes() {
    VersionRepository.Plan plan = VersionRepository.plan(
        List.of(change("same", "a"), change("gone", "d"), change("new", "n"), change("new", "n")),
        Map.of(key("same"), new VersionRepository.Current("a", false),
            key("gone"), new VersionRepository.Current("d", true)));
    assertThat(plan.changed()).containsExactly(false, true, true, false);
    assertThat(plan.previous()).containsExactly("d", null);
    assertThat(plan.entries()).extracting(VersionRepository.Change::tag).containsExactly("gone", "new");
  }
}
