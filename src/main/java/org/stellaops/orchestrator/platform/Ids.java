package org.stellaops.orchestrator.platform;

import io.vertx.pgclient.PgException;
import java.util.UUID;

/** Path ids and PostgreSQL error codes, read the same way by every service. */
public final class Ids {

  private Ids() {}

  /** The id in a path; anything that is not a UUID cannot name a resource, so it is a 404 for {@code what}. */
  public static UUID uuidOr404(String id, String what) {
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw ApiException.notFound(what + " " + id);
    }
  }

  /** SQLSTATE 23505: a unique key already holds this value. */
  public static boolean uniqueViolation(Throwable e) {
    return e instanceof PgException pg && "23505".equals(pg.getSqlState());
  }

  /** SQLSTATE 23503: a foreign key still points here (or nowhere). */
  public static boolean foreignKeyViolation(Throwable e) {
    return e instanceof PgException pg && "23503".equals(pg.getSqlState());
  }
}
