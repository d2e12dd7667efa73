package org.stellaops.orchestrator.release;

import io.vertx.core.Future;
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

/** Components. Deleting one that a release references fails with SQLSTATE 23503 (kept by a foreign key). */
public final class ComponentRepository {

  /** The list its cursors belong to; a cursor of another list is refused. */
  static final String CURSOR_LIST = "components";

  static final String COLUMNS = """
      id, name, display_name, image_repository, registry_integration_id, versioning_strategy,
      tag_pattern, default_channel, metadata, auto_release, created_at, updated_at, created_by
      """;
  private static final String INSERT = """
      INSERT INTO component (id, name, display_name, image_repository, registry_integration_id,
                             versioning_strategy, tag_pattern, default_channel, metadata, auto_release,
                             created_by)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
      RETURNING\s""" + COLUMNS;
  private static final String UPDATE = """
      UPDATE component SET name = $2, display_name = $3, image_repository = $4, registry_integration_id = $5,
                           versioning_strategy = $6, tag_pattern = $7, default_channel = $8, metadata = $9,
                           auto_release = $10, updated_at = now()
      WHERE id = $1
      RETURNING\s""" + COLUMNS;
  private static final String FIND_BY_ID = "SELECT " + COLUMNS + " FROM component WHERE id = $1";
  private static final String FIND_BY_IDS_OR_NAMES = "SELECT " + COLUMNS + " FROM component "
      + "WHERE id = ANY($1::uuid[]) OR name = ANY($2::text[])";
  private static final String FIND_BY_REPOSITORIES = "SELECT " + COLUMNS + " FROM component "
      + "WHERE image_repository = ANY($1::text[])";
  private static final String LIST = "SELECT " + COLUMNS + " FROM component "
      + "WHERE ($1::timestamptz IS NULL OR (created_at, id) < ($1, $2::uuid)) "
      + "ORDER BY created_at DESC, id DESC LIMIT $3";
  private static final String DELETE = "DELETE FROM component WHERE id = $1";

  private final Pool pool;

  public ComponentRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Component> insert(Component c) {
    return pool.preparedQuery(INSERT).execute(tuple(c).addString(c.createdBy()))
        .map(rows -> Component.fromRow(rows.iterator().next()));
  }

  public Future<Optional<Component>> update(Component c) {
    return pool.preparedQuery(UPDATE).execute(tuple(c)).map(ComponentRepository::first);
  }

  public Future<Optional<Component>> find(UUID id) {
    return pool.preparedQuery(FIND_BY_ID).execute(Tuple.of(id)).map(ComponentRepository::first);
  }

  /** Components whose id is one of {@code ids} or whose name is one of {@code names}. */
  public Future<List<Component>> findByIdsOrNames(List<UUID> ids, List<String> names) {
    return pool.preparedQuery(FIND_BY_IDS_OR_NAMES)
        .execute(Tuple.tuple().addArrayOfUUID(ids.toArray(UUID[]::new)).addArrayOfString(names.toArray(String[]::new)))
        .map(rows -> {
          List<Component> found = new ArrayList<>();
          rows.forEach(row -> found.add(Component.fromRow(row)));
          return found;
        });
  }

  /** Components whose canonical image repository is one of {@code repositories}. */
  public Future<List<Component>> findByImageRepositories(List<String> repositories) {
    return pool.preparedQuery(FIND_BY_REPOSITORIES)
        .execute(Tuple.tuple().addArrayOfString(repositories.toArray(String[]::new)))
        .map(rows -> {
          List<Component> found = new ArrayList<>();
          rows.forEach(row -> found.add(Component.fromRow(row)));
          return found;
        });
  }

  public Future<Page<Component>> list(Cursor after, int limit) {
    Tuple args = Tuple.of(after == null ? null : after.at().atOffset(ZoneOffset.UTC),
        after == null ? null : after.uuid(), limit + 1);
    return pool.preparedQuery(LIST).execute(args).map(rows -> {
      List<Component> fetched = new ArrayList<>();
      rows.forEach(row -> fetched.add(Component.fromRow(row)));
      return Page.of(fetched, limit, c -> new Cursor(CURSOR_LIST, c.createdAt().toInstant(), c.id().toString()));
    });
  }

  /** True when a row was deleted. */
  public Future<Boolean> delete(UUID id) {
    return pool.preparedQuery(DELETE).execute(Tuple.of(id)).map(rows -> rows.rowCount() == 1);
  }

  private static Tuple tuple(Component c) {
    return Tuple.tuple()
        .addUUID(c.id())
        .addString(c.name())
        .addString(c.displayName())
        .addString(c.imageRepository())
        .addUUID(c.registryIntegrationId())
        .addString(c.versioningStrategy())
        .addString(c.tagPattern())
        .addString(c.defaultChannel())
        .addValue(c.metadata())
        .addValue(c.autoRelease());
  }

  private static Optional<Component> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(Component.fromRow(rows.iterator().next()));
  }
}
