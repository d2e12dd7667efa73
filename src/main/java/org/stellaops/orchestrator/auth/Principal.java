package org.stellaops.orchestrator.auth;

import java.util.Set;

/**
 * Who is calling: a service account, the bootstrap admin, or a JWT subject. Recorded on every
 * mutation as {@link #actor()} so each change is attributable.
 */
public record Principal(String kind, String id, String name, Set<Permission> permissions) {

  public static final String SERVICE_ACCOUNT = "service-account";
  public static final String ADMIN = "admin";
  public static final String USER = "user";

  public boolean can(Permission required) {
    return permissions.stream().anyMatch(p -> p.grants(required));
  }

  /** "service-account:ci-pipeline", "user:alice", "admin:admin". */
  public String actor() {
    return kind + ":" + name;
  }
}
