package org.stellaops.orchestrator.auth;

import java.util.Optional;
import java.util.Set;

/**
 * Who is calling: a service account, the bootstrap admin, a JWT subject, or a CI job trusted
 * through a CI trust policy. Recorded on every mutation as {@link #actor()} so each change is
 * attributable; a CI job also carries the identity its issuer vouched for ({@link #ci()}).
 */
public record Principal(String kind, String id, String name, Set<Permission> permissions, CiIdentity ci) {

  public static final String SERVICE_ACCOUNT = "service-account";
  public static final String ADMIN = "admin";
  public static final String USER = "user";
  public static final String CI = "ci";

  public Principal(String kind, String id, String name, Set<Permission> permissions) {
    this(kind, id, name, permissions, null);
  }

  public boolean can(Permission required) {
    return permissions.stream().anyMatch(p -> p.grants(required));
  }

  /** "service-account:ci-pipeline", "user:alice", "admin:admin", "ci:myapp-releases". */
  public String actor() {
    return kind + ":" + name;
  }

  /** The verified CI identity, for a caller trusted through a CI trust policy. */
  public Optional<CiIdentity> ciIdentity() {
    return Optional.ofNullable(ci);
  }
}
