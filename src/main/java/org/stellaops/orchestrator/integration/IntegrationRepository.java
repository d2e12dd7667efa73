package org.stellaops.orchestrator.integration;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.stellaops.orchestrator.platform.Cursor;
import org.stellaops.orchestrator.platform.Page;

/** Integrations; the {@code credentials} column only ever holds ciphertext. */
public final class IntegrationRepository {

  /** The list its cursors belong to; a cursor of another list is refused. */
  static final String CURSOR_LIST = "integrations";

  private static final String COLUMNS = """
      id, type, name, config, credentials, credential_keys, health_status, last_health_check,
      created_at, updated_at, created_by
      """;
  private static final String INSERT = """
      INSERT INTO integration (id, type, name, config, credentials, credential_keys, created_by)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      RETURNING\s""" + COLUMNS;
  private static final String UPDATE = """
      UPDATE integration SET name = $2, config = $3, credentials = $4, credential_keys = $5, updated_at = now()
      WHERE id = $1
      RETURNING\s""" + COLUMNS;
  private static final String FIND = "SELECT " + COLUMNS + " FROM integration WHERE id = $1";
  private static final String LIST = "SELECT " + COLUMNS + " FROM integration "
      + "WHERE ($1::text IS NULL OR type = $1) "
      + "AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3::uuid)) "
      + "ORDER BY created_at DESC, id DESC LIMIT $4";
  private static final String DELETE = "DELETE FROM integration WHERE id = $1";

  private final Pool pool;

  public IntegrationRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Integration> insert(UUID id, IntegrationType type, String name, io.vertx.core.json.JsonObject config,
      byte[] sealed, List<String> keys, String createdBy) {
    return pool.preparedQuery(INSERT).execute(Tuple.tuple()
            .addUUID(id).addString(type.wire()).addString(name).addValue(config)
            .addBuffer(sealed == null ? null : Buffer.buffer(sealed))
            .addArrayOfString(keys.toArray(String[]::new)).addString(createdBy))
        .map(rows -> Integration.fromRow(rows.iterator().next()));
  }

  public Future<Optional<Integration>> update(Integration i) {
    return pool.preparedQuery(UPDATE).execute(Tuple.tuple()
            .addUUID(i.id()).addString(i.name()).addValue(i.config())
            .addBuffer(i.sealedCredentials() == null ? null : Buffer.buffer(i.sealedCredentials()))
            .addArrayOfString(i.credentialKeys().toArray(String[]::new)))
        .map(IntegrationRepository::first);
  }

  public Future<Optional<Integration>> find(UUID id) {
    return pool.preparedQuery(FIND).execute(Tuple.of(id)).map(IntegrationRepository::first);
  }

  public Future<Page<Integration>> list(String type, Cursor after, int limit) {
    Tuple args = Tuple.tuple().addString(type)
        .addOffsetDateTime(after == null ? null : after.at().atOffset(ZoneOffset.UTC))
        .addUUID(after == null ? null : after.uuid())
        .addInteger(limit + 1);
    return pool.preparedQuery(LIST).execute(args).map(rows -> {
      List<Integration> fetched = new ArrayList<>();
      rows.forEach(row -> fetched.add(Integration.fromRow(row)));
      return Page.of(fetched, limit, i -> new Cursor(CURSOR_LIST, i.createdAt().toInstant(), i.id().toString()));
    });
  }

  public Future<Boolean> delete(UUID id) {
    return pool.preparedQuery(DELETE).execute(Tuple.of(id)).map(rows -> rows.rowCount() == 1);
  }

  private static Optional<Integration> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(Integration.fromRow(rows.iterator().next()));
  }
}
