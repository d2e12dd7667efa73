package org.stellaops.orchestrator.citrust;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Which components a CI job may pin in a release. Each policy either names its components or
 * allows every one; a job matching several policies may pin the union of theirs, and any
 * matching policy without a list lets it pin every component (rights add up, as permissions do).
 */
public final class ComponentAllowlist {

  private ComponentAllowlist() {}

  /** The components {@code matching} policies allow together; empty when one of them allows every component. Pure. */
  static Optional<Set<UUID>> allowed(List<CiTrustPolicy> matching) {
    Set<UUID> union = new LinkedHashSet<>();
    for (CiTrustPolicy policy : matching) {
      if (policy.components() == null) {
        return Optional.empty();
      }
      union.addAll(policy.components());
    }
    return Optional.of(Set.copyOf(union));
  }

  /**
   * The components of {@code pinned} outside {@code allowed} (null: every component is allowed),
   * in the order given, each once; empty when the release may be created. Pure.
   */
  public static List<UUID> outside(Set<UUID> allowed, List<UUID> pinned) {
    if (allowed == null) {
      return List.of();
    }
    return pinned.stream().filter(id -> !allowed.contains(id)).distinct().toList();
  }
}
