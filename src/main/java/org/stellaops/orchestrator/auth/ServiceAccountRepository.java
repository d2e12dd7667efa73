package org.stellaops.orchestrator.auth;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.stellaops.orchestrator.platform.Cursor;
import org.stellaops.orchestrator.platform.Page;

/** Service accounts and the bootstrap admin's token hash. */
public final class ServiceAccountRepository {

  /** The list its cursors belong to; a cursor of another list is refused. */
  static final String CURSOR_LIST = "service-accounts";

  private static final String COLUMNS = """
      id, name, description, roles, permissions, created_at, created_by, expires_at, revoked_at
      """;
  private static final String INSERT = """
      INSERT INTO service_account (id, name, description, roles, permissions, token_lookup, token_hash,
                                   created_by, expires_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
      RETURNING\s""" + COLUMNS;
  private static final String FIND_BY_ID = "SELECT " + COLUMNS + " FROM service_account WHERE id = $1";
  private static final String FIND_BY_LOOKUP = "SELECT " + COLUMNS + ", token_hash FROM service_account "
      + "WHERE token_lookup = $1";
  private static final String LIST = "SELECT " + COLUMNS + " FROM service_account "
      + "WHERE ($1::timestamptz IS NULL OR (created_at, id) < ($1, $2::uuid)) "
      + "ORDER BY created_at DESC, id DESC LIMIT $3";
  private static final String REVOKE = """
      UPDATE service_account SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1
      """;
  private static final String ADMIN_HASH = "SELECT token_hash FROM bootstrap_admin WHERE id = 1";
  private static final String SET_ADMIN_HASH = """
      INSERT INTO bootstrap_admin (id, token_hash) VALUES (1, $1)
      ON CONFLICT (id) DO UPDATE SET token_hash = excluded.token_hash, updated_at = now()
      """;
  private static final String INIT_ADMIN_HASH = """
      INSERT INTO bootstrap_admin (id, token_hash) VALUES (1, $1) ON CONFLICT (id) DO NOTHING
      """;

  private final Pool pool;

  public ServiceAccountRepository(Pool pool) {
    this.pool = pool;
  }

  /** An account to store: what was asked for, its token (stored as lookup and hash only), who asked. */
  public record NewAccount(CreateServiceAccount account, Tokens.Issued token, String createdBy) {}

  /** A stored account with its token hash, for verification only. */
  public record Credential(ServiceAccount account, byte[] tokenHash) {}

  public Future<ServiceAccount> insert(NewAccount n) {
    CreateServiceAccount a = n.account();
    return pool.preparedQuery(INSERT).execute(Tuple.tuple()
            .addUUID(UUID.randomUUID())
            .addString(a.name())
            .addString(a.description())
            .addArrayOfString(a.roles().toArray(String[]::new))
            .addArrayOfString(a.permissions().stream().map(Permission::toString).toArray(String[]::new))
            .addString(n.token().lookup())
            .addBuffer(Buffer.buffer(n.token().hash()))
            .addString(n.createdBy())
            .addOffsetDateTime(a.expiresAt()))
        .map(rows -> ServiceAccount.fromRow(rows.iterator().next()));
  }

  public Future<Optional<ServiceAccount>> find(UUID id) {
    return pool.preparedQuery(FIND_BY_ID).execute(Tuple.of(id)).map(ServiceAccountRepository::first);
  }

  public Future<Optional<Credential>> findByLookup(String lookup) {
    return pool.preparedQuery(FIND_BY_LOOKUP).execute(Tuple.of(lookup)).map(rows -> {
      if (rows.size() == 0) {
        return Optional.empty();
      }
      Row row = rows.iterator().next();
      return Optional.of(new Credential(ServiceAccount.fromRow(row), row.getBuffer("token_hash").getBytes()));
    });
  }

  public Future<Page<ServiceAccount>> list(Cursor after, int limit) {
    Tuple args = Tuple.of(after == null ? null : after.at().atOffset(ZoneOffset.UTC),
        after == null ? null : after.uuid(), limit + 1);
    return pool.preparedQuery(LIST).execute(args).map(rows -> {
      List<ServiceAccount> fetched = new ArrayList<>();
      rows.forEach(row -> fetched.add(ServiceAccount.fromRow(row)));
      return Page.of(fetched, limit, a -> new Cursor(CURSOR_LIST, a.createdAt().toInstant(), a.id().toString()));
    });
  }

  /** Revokes at once; true when the account exists (revoking twice keeps the first time). */
  public Future<Boolean> revoke(UUID id) {
    return pool.preparedQuery(REVOKE).execute(Tuple.of(id)).map(rows -> rows.rowCount() == 1);
  }

  public Future<Optional<byte[]>> adminHash() {
    return pool.query(ADMIN_HASH).execute().map(rows -> rows.size() == 0
        ? Optional.empty()
        : Optional.of(rows.iterator().next().getBuffer("token_hash").getBytes()));
  }

  public Future<Void> setAdminHash(byte[] hash) {
    return pool.preparedQuery(SET_ADMIN_HASH).execute(Tuple.of(Buffer.buffer(hash))).mapEmpty();
  }

  /** Stores the hash unless one exists; true when this call stored it (several replicas may race). */
  public Future<Boolean> initAdminHash(byte[] hash) {
    return pool.preparedQuery(INIT_ADMIN_HASH).execute(Tuple.of(Buffer.buffer(hash)))
        .map(rows -> rows.rowCount() == 1);
  }

  private static Optional<ServiceAccount> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(ServiceAccount.fromRow(rows.iterator().next()));
  }
}
