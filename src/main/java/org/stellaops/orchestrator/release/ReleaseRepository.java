package org.stellaops.orchestrator.release;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.stellaops.orchestrator.platform.Cursor;
import org.stellaops.orchestrator.platform.InTransaction;
import org.stellaops.orchestrator.platform.Page;

/**
 * Releases and their pinned components. The schema backs immutability: a trigger rejects any
 * UPDATE of {@code release_component}, and a component with releases cannot be deleted.
 */
public final class ReleaseRepository {

  /** The list its cursors belong to; a cursor of another list is refused. */
  static final String CURSOR_LIST = "releases";

  private static final String COLUMNS =
      "id, name, status, source_ref, metadata, created_by, created_by_identity, created_at";
  private static final String INSERT_RELEASE = """
      INSERT INTO release (id, name, status, source_ref, metadata, created_by, created_by_id, request_id,
                           created_by_identity)
      VALUES ($1, $2, 'ready', $3, $4, $5, $6, $7, $8)
      RETURNING\s""" + COLUMNS;
  private static final String INSERT_COMPONENTS = """
      INSERT INTO release_component (release_id, position, component_id, digest, tag, semver)
      SELECT $1, ord, c, d, t, s FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[])
        WITH ORDINALITY AS x(c, d, t, s, ord)
      """;
  private static final String CLAIM_AUTO_RELEASE = """
      INSERT INTO auto_release (component_id, tag, digest, release_id) VALUES ($1, $2, $3, $4)
      ON CONFLICT DO NOTHING
      """;
  private static final String FIND_BY_ID = "SELECT " + COLUMNS + " FROM release WHERE id = $1";
  private static final String FIND_BY_NAME = "SELECT " + COLUMNS + " FROM release WHERE name = $1";
  private static final String LIST = "SELECT " + COLUMNS + " FROM release r "
      + "WHERE ($1::uuid IS NULL OR EXISTS (SELECT 1 FROM release_component rc "
      + "                                    WHERE rc.release_id = r.id AND rc.component_id = $1)) "
      + "AND ($2::text IS NULL OR r.name = $2) "
      + "AND ($3::timestamptz IS NULL OR r.created_at > $3) "
      + "AND ($4::timestamptz IS NULL OR (r.created_at, r.id) < ($4, $5::uuid)) "
      + "ORDER BY r.created_at DESC, r.id DESC LIMIT $6";
  private static final String COMPONENTS_OF = """
      SELECT rc.release_id, rc.component_id, c.name, c.image_repository, rc.digest, rc.tag, rc.semver
      FROM release_component rc JOIN component c ON c.id = rc.component_id
      WHERE rc.release_id = ANY($1::uuid[])
      ORDER BY rc.release_id, rc.position
      """;

  private final Pool pool;

  public ReleaseRepository(Pool pool) {
    this.pool = pool;
  }

  /** A release to store: its name, pinned components, source and metadata, and who created it. */
  public record NewRelease(String name, List<Release.Pinned> components, JsonObject sourceRef, JsonObject metadata,
      Creator creator) {}

  /**
   * Who created a release: the actor, the caller's id and the request's id (null for an automatic release), and the
   * CI identity of a CI token (null otherwise).
   */
  public record Creator(String actor, String id, String requestId, JsonObject identity) {}

  /**
   * Inserts the release and its components, and runs {@code also} (its events), in one
   * transaction; a taken name fails with SQLSTATE 23505.
   */
  public Future<Release> insert(NewRelease r, InTransaction<Release> also) {
    return pool.withTransaction(conn -> insert(conn, UUID.randomUUID(), r)
        .compose(release -> also.write(conn, release).map(release)));
  }

  /**
   * The automatic release of (component, tag, digest), created at most once ever: the key row,
   * the release and {@code also} commit together, and a second attempt finds the key taken and
   * creates nothing (empty result).
   */
  public Future<Optional<Release>> insertAutomatic(UUID componentId, String tag, String digest, NewRelease r,
      InTransaction<Release> also) {
    UUID id = UUID.randomUUID();
    return pool.withTransaction(conn -> conn.preparedQuery(CLAIM_AUTO_RELEASE)
        .execute(Tuple.of(componentId, tag, digest, id))
        .compose(claimed -> claimed.rowCount() == 0
            ? Future.succeededFuture(Optional.<Release>empty())
            : insert(conn, id, r).compose(release -> also.write(conn, release).map(Optional.of(release)))));
  }

  private Future<Release> insert(SqlConnection conn, UUID id, NewRelease r) {
    return conn.preparedQuery(INSERT_RELEASE).execute(Tuple.tuple()
            .addUUID(id).addString(r.name()).addValue(r.sourceRef()).addValue(r.metadata())
            .addString(r.creator().actor()).addString(r.creator().id()).addString(r.creator().requestId())
            .addValue(r.creator().identity()))
        .compose(rows -> conn.preparedQuery(INSERT_COMPONENTS).execute(Tuple.of(id,
                r.components().stream().map(Release.Pinned::componentId).toArray(UUID[]::new),
                r.components().stream().map(Release.Pinned::digest).toArray(String[]::new),
                r.components().stream().map(Release.Pinned::tag).toArray(String[]::new),
                r.components().stream().map(Release.Pinned::semver).toArray(String[]::new)))
            .map(v -> withComponents(rows.iterator().next(), r.components())));
  }

  public Future<Optional<Release>> find(UUID id) {
    return pool.preparedQuery(FIND_BY_ID).execute(Tuple.of(id)).compose(this::single);
  }

  public Future<Optional<Release>> findByName(String name) {
    return pool.preparedQuery(FIND_BY_NAME).execute(Tuple.of(name)).compose(this::single);
  }

  public record Filter(UUID componentId, String name, OffsetDateTime createdAfter) {}

  public Future<Page<Release>> list(Filter filter, Cursor after, int limit) {
    Tuple args = Tuple.tuple()
        .addUUID(filter.componentId()).addString(filter.name()).addOffsetDateTime(filter.createdAfter())
        .addOffsetDateTime(after == null ? null : after.at().atOffset(ZoneOffset.UTC))
        .addUUID(after == null ? null : after.uuid())
        .addInteger(limit + 1);
    return pool.preparedQuery(LIST).execute(args).compose(this::withComponents)
        .map(releases -> Page.of(releases, limit, r -> new Cursor(CURSOR_LIST, r.createdAt().toInstant(), r.id().toString())));
  }

  private Future<Optional<Release>> single(RowSet<Row> rows) {
    return withComponents(rows).map(list -> list.stream().findFirst());
  }

  /** Reads the pinned components of all rows in one query. */
  private Future<List<Release>> withComponents(RowSet<Row> rows) {
    Map<UUID, Row> byId = new LinkedHashMap<>();
    rows.forEach(row -> byId.put(row.getUUID("id"), row));
    if (byId.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return pool.preparedQuery(COMPONENTS_OF).execute(Tuple.of(byId.keySet().toArray(UUID[]::new))).map(cs -> {
      Map<UUID, List<Release.Pinned>> pinned = new LinkedHashMap<>();
      cs.forEach(c -> pinned.computeIfAbsent(c.getUUID("release_id"), k -> new ArrayList<>()).add(
          new Release.Pinned(c.getUUID("component_id"), c.getString("name"), c.getString("image_repository"),
              c.getString("digest"), c.getString("tag"), c.getString("semver"))));
      List<Release> releases = new ArrayList<>();
      byId.forEach((id, row) -> releases.add(withComponents(row, pinned.getOrDefault(id, List.of()))));
      return releases;
    });
  }

  private static Release withComponents(Row row, List<Release.Pinned> components) {
    return new Release(
        row.getUUID("id"),
        row.getString("name"),
        row.getString("status"),
        List.copyOf(components),
        (JsonObject) row.getValue("source_ref"),
        (JsonObject) row.getValue("metadata"),
        row.getString("created_by"),
        (JsonObject) row.getValue("created_by_identity"),
        row.getOffsetDateTime("created_at"));
  }
}
