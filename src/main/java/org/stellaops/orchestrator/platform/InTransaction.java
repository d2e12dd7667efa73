package org.stellaops.orchestrator.platform;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;

/**
 * Writes that must commit or roll back together with a state change (its events, its status
 * reports): a repository method that makes the change runs them on the change's connection,
 * after the change and before the commit, and only when the change happened. A failed write
 * rolls the change back.
 *
 * @param <T> what the change produced (the new row, or the rows it ended)
 */
@FunctionalInterface
public interface InTransaction<T> {

  Future<Void> write(SqlConnection conn, T changed);

  static <T> InTransaction<T> nothing() {
    return (conn, changed) -> Future.succeededFuture();
  }

  /** This write, then {@code next}, in the same transaction. */
  default InTransaction<T> andThen(InTransaction<T> next) {
    return (conn, changed) -> write(conn, changed).compose(v -> next.write(conn, changed));
  }
}
