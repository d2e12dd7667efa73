package org.stellaops.orchestrator.platform;

import io.vertx.pgclient.PgException;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Path ids and PostgreSQL error codes, read the same way by every service. */
public final class Ids {

  private Ids() {}

  /** The id in a path; anything that is not a UUID cannot name a resource, so it is a 404 for {@code what}. */
  public static UUID uuidOr404(String id, String what) {
    UUID uuid = uuidOrNull(id);
    if (uuid == null) {
      throw ApiException.notFound(what + " " + id);
    }
    return uuid;
  }

  /**
   * {@code text} as a UUID, or null when it is null or not one; the caller decides what a text
   * that is not a UUID means (a 404, a validation error, no match). Pure.
   */
  public static UUID uuidOrNull(String text) {
    if (text == null) {
      return null;
    }
    try {
      return UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * A new UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. Ids of
   * rows inserted at a high rate (webhook deliveries, pipeline runs) are made this way so their
   * unique index grows at its right edge; random version 4 ids dirty a random leaf page each,
   * and after every checkpoint each such page costs a full 8 KB image in the WAL. Ids are
   * unique, not secret.
   */
  public static UUID timeOrdered() {
    return timeOrdered(System.currentTimeMillis(), ThreadLocalRandom.current().nextLong(),
        ThreadLocalRandom.current().nextLong());
  }

  /** The UUID version 7 for the given time and random bits (the ones that fit are used). Pure. */
  static UUID timeOrdered(long unixMillis, long randA, long randB) {
    long msb = (unixMillis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | (randA & 0x0FFFL);
    long lsb = 0x8000_0000_0000_0000L | (randB & 0x3FFF_FFFF_FFFF_FFFFL);
    return new UUID(msb, lsb);
  }

  /** SQLSTATE 23505: a unique key already holds this value. */
  public static boolean uniqueViolation(Throwable e) {
    return e instanceof PgException pg && "23505".equals(pg.getSqlState());
  }

  /** SQLSTATE 23505 on a constraint whose name contains {@code constraint}. */
  public static boolean uniqueViolation(Throwable e, String constraint) {
    return uniqueViolation(e) && String.valueOf(((PgException) e).getConstraint()).contains(constraint);
  }

  /** SQLSTATE 23503: a foreign key still points here (or nowhere). */
  public static boolean foreignKeyViolation(Throwable e) {
    return e instanceof PgException pg && "23503".equals(pg.getSqlState());
  }
}
