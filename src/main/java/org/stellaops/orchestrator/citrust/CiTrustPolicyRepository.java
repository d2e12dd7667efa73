package org.stellaops.orchestrator.citrust;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.stellaops.orchestrator.auth.Permission;
import org.stellaops.orchestrator.platform.Cursor;
import org.stellaops.orchestrator.platform.Page;

/** CI trust policies. Read on every CI token, so a deleted policy trusts nothing from the next request on. */
public final class CiTrustPolicyRepository {

  /** The list its cursors belong to; a cursor of another list is refused. */
  static final String CURSOR_LIST = "ci-trust-policies";

  private static final String COLUMNS = """
      id, name, issuer, audience, claims, roles, permissions, bind_source_ref, components, created_at, created_by
      """;
  private static final String INSERT = """
      INSERT INTO ci_trust_policy (id, name, issuer, audience, claims, roles, permissions, bind_source_ref,
                                   components, created_by)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
      RETURNING\s""" + COLUMNS;
  private static final String FIND_BY_ID = "SELECT " + COLUMNS + " FROM ci_trust_policy WHERE id = $1";
  private static final String BY_ISSUER = "SELECT " + COLUMNS + " FROM ci_trust_policy WHERE issuer = $1 ORDER BY name";
  private static final String LIST = "SELECT " + COLUMNS + " FROM ci_trust_policy "
      + "WHERE ($1::timestamptz IS NULL OR (created_at, id) < ($1, $2::uuid)) "
      + "ORDER BY created_at DESC, id DESC LIMIT $3";
  private static final String DELETE = "DELETE FROM ci_trust_policy WHERE id = $1";

  private final Pool pool;

  public CiTrustPolicyRepository(Pool pool) {
    this.pool = pool;
  }

  /** A policy to store and who asked for it. */
  public record NewPolicy(CreateCiTrustPolicy policy, String createdBy) {}

  /** Inserts the policy; a taken name fails with SQLSTATE 23505. */
  public Future<CiTrustPolicy> insert(NewPolicy n) {
    CreateCiTrustPolicy p = n.policy();
    return pool.preparedQuery(INSERT).execute(Tuple.tuple()
            .addUUID(UUID.randomUUID())
            .addString(p.name())
            .addString(p.tokens().issuer())
            .addString(p.tokens().audience())
            .addValue(p.tokens().claims())
            .addArrayOfString(p.roles().toArray(String[]::new))
            .addArrayOfString(p.permissions().stream().map(Permission::toString).toArray(String[]::new))
            .addBoolean(p.bindSourceRef())
            .addArrayOfUUID(p.components() == null ? null : p.components().toArray(UUID[]::new))
            .addString(n.createdBy()))
        .map(rows -> CiTrustPolicy.fromRow(rows.iterator().next()));
  }

  public Future<Optional<CiTrustPolicy>> find(UUID id) {
    return pool.preparedQuery(FIND_BY_ID).execute(Tuple.of(id)).map(rows -> rows.size() == 0
        ? Optional.<CiTrustPolicy>empty() : Optional.of(CiTrustPolicy.fromRow(rows.iterator().next())));
  }

  /** Every policy trusting {@code issuer} (compared exactly), by name. */
  public Future<List<CiTrustPolicy>> ofIssuer(String issuer) {
    return pool.preparedQuery(BY_ISSUER).execute(Tuple.of(issuer)).map(rows -> {
      List<CiTrustPolicy> found = new ArrayList<>();
      rows.forEach(row -> found.add(CiTrustPolicy.fromRow(row)));
      return found;
    });
  }

  public Future<Page<CiTrustPolicy>> list(Cursor after, int limit) {
    Tuple args = Tuple.of(after == null ? null : after.at().atOffset(ZoneOffset.UTC),
        after == null ? null : after.uuid(), limit + 1);
    return pool.preparedQuery(LIST).execute(args).map(rows -> {
      List<CiTrustPolicy> fetched = new ArrayList<>();
      rows.forEach(row -> fetched.add(CiTrustPolicy.fromRow(row)));
      return Page.of(fetched, limit, p -> new Cursor(CURSOR_LIST, p.createdAt().toInstant(), p.id().toString()));
    });
  }

  /** Deletes at once; true when it existed. */
  public Future<Boolean> delete(UUID id) {
    return pool.preparedQuery(DELETE).execute(Tuple.of(id)).map(rows -> rows.rowCount() == 1);
  }
}
