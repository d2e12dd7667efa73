package org.stellaops.orchestrator.release;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.stellaops.orchestrator.platform.Cursor;
import org.stellaops.orchestrator.platform.Page;

/**
 * The version map. {@code version_entry} holds the current tag → digest; every change of a
 * tag's digest appends a row to {@code version_history}, which is never updated or deleted.
 */
public final class VersionRepository {

  /** The list its cursors belong to; a cursor of another list is refused. */
  static final String CURSOR_LIST = "versions";

  private static final String COLUMNS = "component_id, tag, digest, semver, channel, prerelease, source, resolved_at";
  private static final String LOCK_CURRENT = """
      SELECT digest, deleted_at IS NOT NULL AS deleted FROM version_entry WHERE component_id = $1 AND tag = $2 FOR UPDATE
      """;
  private static final String UPSERT = """
      INSERT INTO version_entry (component_id, tag, digest, semver, channel, prerelease, source, resolved_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, now())
      ON CONFLICT (component_id, tag) DO UPDATE
        SET digest = excluded.digest, semver = excluded.semver, channel = excluded.channel,
            prerelease = excluded.prerelease, source = excluded.source, resolved_at = excluded.resolved_at,
            deleted_at = NULL
      RETURNING\s""" + COLUMNS;
  private static final String APPEND_HISTORY = """
      INSERT INTO version_history (component_id, tag, digest, previous_digest, source, resolved_at, recorded_by)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      """;
  private static final String FIND = "SELECT " + COLUMNS + " FROM version_entry WHERE component_id = $1 AND tag = $2";
  private static final String LIST = "SELECT " + COLUMNS + " FROM version_entry "
      + "WHERE component_id = $1 AND deleted_at IS NULL AND ($2::text IS NULL OR tag = $2) AND ($3::text IS NULL OR channel = $3) "
      + "AND ($4::timestamptz IS NULL OR (resolved_at, tag) < ($4, $5::text)) "
      + "ORDER BY resolved_at DESC, tag DESC LIMIT $6";
  private static final String HISTORY = """
      SELECT tag, digest, previous_digest, source, resolved_at, recorded_by FROM version_history
      WHERE component_id = $1 AND tag = $2 ORDER BY id DESC LIMIT 1000
      """;
  private static final String CURRENT_FOR_TAGS = "SELECT " + COLUMNS + " FROM version_entry "
      + "WHERE deleted_at IS NULL AND (component_id, tag) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))";
  /** The entries a batch of changes touches, locked in key order (so two batches never deadlock). */
  private static final String LOCK_CURRENT_ALL = """
      SELECT component_id, tag, digest, deleted_at IS NOT NULL AS deleted FROM version_entry
      WHERE (component_id, tag) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))
      ORDER BY component_id, tag
      FOR UPDATE
      """;
  /** One row per (component, tag): {@link #plan} keeps each tag's last change of the batch. */
  private static final String UPSERT_ALL = """
      INSERT INTO version_entry (component_id, tag, digest, semver, channel, prerelease, source, resolved_at)
      SELECT c, t, d, s, ch, p, src, now()
      FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bool[], $7::text[])
           AS u(c, t, d, s, ch, p, src)
      ORDER BY c, t
      ON CONFLICT (component_id, tag) DO UPDATE
        SET digest = excluded.digest, semver = excluded.semver, channel = excluded.channel,
            prerelease = excluded.prerelease, source = excluded.source, resolved_at = excluded.resolved_at,
            deleted_at = NULL
      """;
  /** In the batch's order, so a tag moved twice in one batch lists its moves as they happened. */
  private static final String APPEND_HISTORY_ALL = """
      INSERT INTO version_history (component_id, tag, digest, previous_digest, source, resolved_at, recorded_by)
      SELECT c, t, d, prev, src, now(), actor
      FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY
           AS h(c, t, d, prev, src, actor, n)
      ORDER BY n
      """;
  private static final String MARK_DELETED = """
      UPDATE version_entry SET deleted_at = now()
      WHERE component_id = $1 AND deleted_at IS NULL AND ($2::text IS NULL OR tag = $2)
        AND ($3::text IS NULL OR digest = $3)
      """;

  private final Pool pool;

  public VersionRepository(Pool pool) {
    this.pool = pool;
  }

  public record Recorded(VersionEntry entry, boolean changed) {}

  /**
   * Points {@code tag} at {@code digest}. Recording the digest a tag already has changes nothing
   * and appends no history; a new digest replaces the current one and appends one history row,
   * in one transaction.
   */
  public Future<Recorded> record(UUID componentId, String tag, String digest, Versioning.Derived derived,
      String source, String actor) {
    return pool.withTransaction(conn -> conn.preparedQuery(LOCK_CURRENT).execute(Tuple.of(componentId, tag))
        .compose(current -> {
          Row row = current.size() == 0 ? null : current.iterator().next();
          String previous = row == null ? null : row.getString("digest");
          boolean deleted = row != null && row.getBoolean("deleted");
          if (digest.equals(previous) && !deleted) {
            return conn.preparedQuery(FIND).execute(Tuple.of(componentId, tag))
                .map(rows -> new Recorded(VersionEntry.fromRow(rows.iterator().next()), false));
          }
          return conn.preparedQuery(UPSERT).execute(Tuple.tuple()
                  .addUUID(componentId).addString(tag).addString(digest).addString(derived.semver())
                  .addString(derived.channel()).addBoolean(derived.prerelease()).addString(source))
              .compose(rows -> {
                VersionEntry entry = VersionEntry.fromRow(rows.iterator().next());
                return conn.preparedQuery(APPEND_HISTORY).execute(Tuple.tuple()
                        .addUUID(componentId).addString(tag).addString(digest).addString(previous)
                        .addString(source).addOffsetDateTime(entry.resolvedAt()).addString(actor))
                    .map(v -> new Recorded(entry, true));
              });
        }));
  }

  /** One tag pointed at one digest, as {@link #recordAll} takes it. */
  public record Change(UUID componentId, String tag, String digest, Versioning.Derived derived, String source,
      String actor) {}

  /** A tag's current digest, and whether a registry delete marked it. */
  record Current(String digest, boolean deleted) {}

  record Key(UUID componentId, String tag) {}

  /**
   * What recording a list of changes one after another does: whether each changes the map, the
   * history rows they append (with the digest each replaces) and each tag's final entry.
   */
  record Plan(List<Boolean> changed, List<Change> moves, List<String> previous, List<Change> entries) {}

  /**
   * Records {@code changes} in order on {@code tx}, each with the outcome {@link #record} gives
   * it on its own: a tag given the digest it already has changes nothing; any other change
   * replaces the entry and appends one history row. Three statements for the whole list (lock,
   * one multi-row upsert, one multi-row history insert) instead of three per change. Answers, in
   * the order of {@code changes}, whether each changed the map.
   */
  public Future<List<Boolean>> recordAll(SqlClient tx, List<Change> changes) {
    if (changes.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Tuple keys = Tuple.tuple().addArrayOfUUID(changes.stream().map(Change::componentId).toArray(UUID[]::new))
        .addArrayOfString(changes.stream().map(Change::tag).toArray(String[]::new));
    return tx.preparedQuery(LOCK_CURRENT_ALL).execute(keys).compose(rows -> {
      Map<Key, Current> current = new HashMap<>();
      rows.forEach(row -> current.put(new Key(row.getUUID("component_id"), row.getString("tag")),
          new Current(row.getString("digest"), row.getBoolean("deleted"))));
      Plan plan = plan(changes, current);
      if (plan.entries().isEmpty()) {
        return Future.succeededFuture(plan.changed());
      }
      List<Change> e = plan.entries();
      List<Change> m = plan.moves();
      return tx.preparedQuery(UPSERT_ALL).execute(Tuple.tuple()
              .addArrayOfUUID(e.stream().map(Change::componentId).toArray(UUID[]::new))
              .addArrayOfString(e.stream().map(Change::tag).toArray(String[]::new))
              .addArrayOfString(e.stream().map(Change::digest).toArray(String[]::new))
              .addArrayOfString(e.stream().map(c -> c.derived().semver()).toArray(String[]::new))
              .addArrayOfString(e.stream().map(c -> c.derived().channel()).toArray(String[]::new))
              .addArrayOfBoolean(e.stream().map(c -> c.derived().prerelease()).toArray(Boolean[]::new))
              .addArrayOfString(e.stream().map(Change::source).toArray(String[]::new)))
          .compose(upserted -> tx.preparedQuery(APPEND_HISTORY_ALL).execute(Tuple.tuple()
              .addArrayOfUUID(m.stream().map(Change::componentId).toArray(UUID[]::new))
              .addArrayOfString(m.stream().map(Change::tag).toArray(String[]::new))
              .addArrayOfString(m.stream().map(Change::digest).toArray(String[]::new))
              .addArrayOfString(plan.previous().toArray(String[]::new))
              .addArrayOfString(m.stream().map(Change::source).toArray(String[]::new))
              .addArrayOfString(m.stream().map(Change::actor).toArray(String[]::new))))
          .map(plan.changed());
    });
  }

  /** {@link #recordAll}'s decisions, given the current entries of the tags it touches. Pure. */
  static Plan plan(List<Change> changes, Map<Key, Current> current) {
    Map<Key, Current> state = new HashMap<>(current);
    Map<Key, Change> last = new LinkedHashMap<>();
    List<Boolean> changed = new ArrayList<>(changes.size());
    List<Change> moves = new ArrayList<>();
    List<String> previous = new ArrayList<>();
    for (Change c : changes) {
      Key key = new Key(c.componentId(), c.tag());
      Current now = state.get(key);
      if (now != null && now.digest().equals(c.digest()) && !now.deleted()) {
        changed.add(false);
        continue;
      }
      changed.add(true);
      moves.add(c);
      previous.add(now == null ? null : now.digest());
      state.put(key, new Current(c.digest(), false));
      last.put(key, c);
    }
    return new Plan(changed, moves, previous, List.copyOf(last.values()));
  }

  /**
   * Marks entries deleted after a registry delete: one tag, or every tag on a digest. Deleted
   * entries disappear from the map and from tag resolution; history keeps them. On {@code tx}, so
   * it takes its place among the other version-map writes of the inbox batch that made it.
   */
  public Future<Integer> markDeleted(SqlClient tx, UUID componentId, String tag, String digest) {
    return tx.preparedQuery(MARK_DELETED).execute(Tuple.tuple().addUUID(componentId).addString(tag).addString(digest))
        .map(rows -> rows.rowCount());
  }

  public Future<Page<VersionEntry>> list(UUID componentId, String tag, String channel, Cursor after, int limit) {
    Tuple args = Tuple.tuple()
        .addUUID(componentId).addString(tag).addString(channel)
        .addOffsetDateTime(after == null ? null : after.at().atOffset(ZoneOffset.UTC))
        .addString(after == null ? null : after.id())
        .addInteger(limit + 1);
    return pool.preparedQuery(LIST).execute(args).map(rows -> {
      List<VersionEntry> fetched = new ArrayList<>();
      rows.forEach(row -> fetched.add(VersionEntry.fromRow(row)));
      return Page.of(fetched, limit, e -> new Cursor(CURSOR_LIST, e.resolvedAt().toInstant(), e.tag()));
    });
  }

  public Future<List<VersionEntry.Move>> history(UUID componentId, String tag) {
    return pool.preparedQuery(HISTORY).execute(Tuple.of(componentId, tag)).map(rows -> {
      List<VersionEntry.Move> moves = new ArrayList<>();
      rows.forEach(row -> moves.add(VersionEntry.Move.fromRow(row)));
      return moves;
    });
  }

  /** Current entries for the given (component, tag) pairs; pairs with no entry are absent. */
  public Future<List<VersionEntry>> current(List<UUID> componentIds, List<String> tags) {
    return pool.preparedQuery(CURRENT_FOR_TAGS)
        .execute(Tuple.tuple().addArrayOfUUID(componentIds.toArray(UUID[]::new))
            .addArrayOfString(tags.toArray(String[]::new)))
        .map(rows -> {
          List<VersionEntry> found = new ArrayList<>();
          for (Row row : rows) {
            found.add(VersionEntry.fromRow(row));
          }
          return found;
        });
  }
}
