package org.stellaops.orchestrator.auth;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/**
 * What a principal may hand on: only permissions it holds itself, and a wildcard ({@code *} in
 * the resource or the action, which the admin role is made of) only when it holds {@code *:*}.
 * Every endpoint that grants rights (service accounts today) checks a request with
 * {@link #firstNotGrantable} before storing anything, so no token can mint a stronger one.
 */
public final class Grants {

  private static final Permission EVERYTHING = Permission.of("*:*");

  private Grants() {}

  /** The first permission in {@code roles} (expanded) plus {@code explicit} that {@code granter} may not grant. Pure. */
  public static Optional<Permission> firstNotGrantable(Principal granter, Collection<String> roles,
      Collection<Permission> explicit) {
    return Roles.expand(roles, explicit).stream()
        .sorted(Comparator.comparing(Permission::toString))
        .filter(p -> !mayGrant(granter, p))
        .findFirst();
  }

  /** Whether {@code granter} may grant {@code wanted}. Pure. */
  public static boolean mayGrant(Principal granter, Permission wanted) {
    boolean wildcard = wanted.resource().equals("*") || wanted.action().equals("*");
    return wildcard ? granter.permissions().contains(EVERYTHING) : granter.can(wanted);
  }
}
