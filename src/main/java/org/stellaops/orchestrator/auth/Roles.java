package org.stellaops.orchestrator.auth;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Named bundles of permissions. A principal's rights are its roles' permissions plus its own. */
public final class Roles {

  private Roles() {}

  private static final List<String> READABLE = List.of(
      "component", "version-map", "release", "environment", "promotion", "deployment",
      "integration", "pipeline-run", "event-subscription");

  private static final Map<String, Set<Permission>> ROLES = Map.of(
      // What a CI job needs to create releases, nothing more.
      "release-creator", perms("release:create", "component:read", "version-map:read"),
      "viewer", READABLE.stream().map(r -> new Permission(r, "read")).collect(Collectors.toUnmodifiableSet()),
      // Runs day-to-day delivery; cannot manage credentials (service accounts, integrations).
      "operator", Stream.concat(
              READABLE.stream().map(r -> new Permission(r, "read")),
              perms("component:create", "component:update", "component:delete",
                  "version-map:create", "release:create", "ci-event:create",
                  "pipeline-run:create", "pipeline-run:update",
                  "promotion:create", "promotion:update", "promotion:approve",
                  "deployment:update", "environment:create", "environment:update").stream())
          .collect(Collectors.toUnmodifiableSet()),
      "admin", perms("*:*"));

  public static Set<String> names() {
    return ROLES.keySet();
  }

  public static boolean exists(String role) {
    return ROLES.containsKey(role);
  }

  /** Expands role names (unknown ones contribute nothing) and adds the explicit permissions. */
  public static Set<Permission> expand(Collection<String> roles, Collection<Permission> explicit) {
    Set<Permission> all = new LinkedHashSet<>();
    roles.forEach(role -> all.addAll(ROLES.getOrDefault(role, Set.of())));
    all.addAll(explicit);
    return Set.copyOf(all);
  }

  private static Set<Permission> perms(String... texts) {
    return Stream.of(texts).map(Permission::of).collect(Collectors.toUnmodifiableSet());
  }
}
