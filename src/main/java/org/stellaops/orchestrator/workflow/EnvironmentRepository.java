package org.stellaops.orchestrator.workflow;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Environments, listed in promotion order. */
public final class EnvironmentRepository {

  private static final String UPSERT_COLUMNS = """
      name, display_name, order_index, url, required_approvals, auto_promote, auto_promote_from, freeze_windows,
      deployment_timeout, workflow
      """;
  private static final String INSERT = "INSERT INTO environment (id, " + UPSERT_COLUMNS + ", created_by) "
      + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *";
  private static final String UPDATE = """
      UPDATE environment SET name = $2, display_name = $3, order_index = $4, url = $5, required_approvals = $6,
             auto_promote = $7, auto_promote_from = $8, freeze_windows = $9, deployment_timeout = $10, workflow = $11,
             updated_at = now()
      WHERE id = $1 RETURNING *
      """;
  private static final String FIND = "SELECT * FROM environment WHERE id = $1";
  private static final String LIST = "SELECT * FROM environment ORDER BY order_index, name";
  private static final String DELETE = "DELETE FROM environment WHERE id = $1";
  private static final String WITH_PLAINTEXT_HEADERS = """
      SELECT * FROM environment WHERE jsonb_path_exists(workflow, '$[*].config.headers.* ? (@.type() == "string")')
      """;
  /** Conditional on the workflow read, so an edit saved meanwhile is never overwritten. */
  private static final String RESEAL = "UPDATE environment SET workflow = $3 WHERE id = $1 AND workflow = $2";

  private final Pool pool;

  public EnvironmentRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Environment> insert(Environment e) {
    return pool.preparedQuery(INSERT).execute(values(e).addString(e.createdBy()))
        .map(rows -> Environment.fromRow(rows.iterator().next()));
  }

  public Future<Optional<Environment>> update(Environment e) {
    return pool.preparedQuery(UPDATE).execute(values(e)).map(EnvironmentRepository::first);
  }

  public Future<Optional<Environment>> find(UUID id) {
    return pool.preparedQuery(FIND).execute(Tuple.of(id)).map(EnvironmentRepository::first);
  }

  public Future<List<Environment>> list() {
    return pool.query(LIST).execute().map(rows -> {
      List<Environment> all = new ArrayList<>();
      rows.forEach(row -> all.add(Environment.fromRow(row)));
      return all;
    });
  }

  public Future<Boolean> delete(UUID id) {
    return pool.preparedQuery(DELETE).execute(Tuple.of(id)).map(rows -> rows.rowCount() == 1);
  }

  /** Environments whose workflow still holds a plaintext header value. */
  public Future<List<Environment>> withPlaintextHeaders() {
    return pool.query(WITH_PLAINTEXT_HEADERS).execute().map(rows -> {
      List<Environment> all = new ArrayList<>();
      rows.forEach(row -> all.add(Environment.fromRow(row)));
      return all;
    });
  }

  public Future<Boolean> reseal(Environment e, JsonArray workflow) {
    return pool.preparedQuery(RESEAL).execute(Tuple.tuple().addUUID(e.id()).addValue(e.workflow()).addValue(workflow))
        .map(rows -> rows.rowCount() == 1);
  }

  private static Tuple values(Environment e) {
    return Tuple.tuple().addUUID(e.id()).addString(e.name()).addString(e.displayName()).addInteger(e.orderIndex())
        .addString(e.url()).addInteger(e.requiredApprovals()).addBoolean(e.autoPromote()).addUUID(e.autoPromoteFrom())
        .addValue(e.freezeWindows()).addInteger(e.deploymentTimeout()).addValue(e.workflow());
  }

  private static Optional<Environment> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(Environment.fromRow(rows.iterator().next()));
  }
}
