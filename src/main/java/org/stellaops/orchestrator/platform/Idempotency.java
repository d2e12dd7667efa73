package org.stellaops.orchestrator.platform;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.security.MessageDigest;
import java.util.function.Supplier;
import org.stellaops.orchestrator.crypto.Sha256;

/**
 * {@code Idempotency-Key} for creating POSTs. The first successful answer for a (scope, key)
 * is stored; a retry with the same key and the same body gets that answer again, the same key
 * with another body is a 422. Failed attempts are not stored, so a client may fix its request
 * and retry under the same key. Scope is the caller plus the route, so keys never collide
 * between callers. A key is kept for at least {@link #KEEP} (the window CI retries fall in, and
 * the one Stripe documents for its keys); {@link #purgeExpired} removes it after that.
 */
public final class Idempotency {

  public static final String HEADER = "Idempotency-Key";

  private static final String FIND = """
      SELECT request_hash, status, body FROM idempotency_key WHERE scope = $1 AND key = $2
      """;
  private static final String STORE = """
      INSERT INTO idempotency_key (scope, key, request_hash, status, body)
      VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (scope, key) DO NOTHING
      """;

  /** How long a key is honoured at least. */
  public static final java.time.Duration KEEP = java.time.Duration.ofHours(24);

  private static final String PURGE = """
      DELETE FROM idempotency_key WHERE created_at < now() - make_interval(secs => $1)
      """;

  private final Pool pool;

  public Idempotency(Pool pool) {
    this.pool = pool;
  }

  /** The outcome of a create: HTTP status and the {@code data} of the envelope. */
  public record Outcome(int status, JsonObject data, boolean replayed) {}

  public Future<Outcome> run(String scope, String key, Buffer body, Supplier<Future<Outcome>> create) {
    if (key == null) {
      return create.get();
    }
    if (key.isBlank() || key.length() > 255) {
      return Future.failedFuture(ApiException.of(400, "INVALID_IDEMPOTENCY_KEY",
          HEADER + " must be 1 to 255 characters"));
    }
    byte[] hash = sha256(body);
    return find(scope, key, hash).compose(previous -> {
      if (previous != null) {
        return Future.succeededFuture(previous);
      }
      return create.get()
          .compose(outcome -> pool.preparedQuery(STORE)
              .execute(Tuple.of(scope, key, Buffer.buffer(hash), outcome.status(), outcome.data().encode()))
              .map(outcome))
          .recover(failure -> {
            // A concurrent request with the same key may have won the race; answer as it did.
            if (failure instanceof ApiException api && api.status() == 409) {
              return find(scope, key, hash).compose(winner ->
                  winner != null ? Future.succeededFuture(winner) : Future.failedFuture(failure));
            }
            return Future.failedFuture(failure);
          });
    });
  }

  private Future<Outcome> find(String scope, String key, byte[] hash) {
    return pool.preparedQuery(FIND).execute(Tuple.of(scope, key)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      if (!MessageDigest.isEqual(row.getBuffer("request_hash").getBytes(), hash)) {
        throw ApiException.unprocessable("IDEMPOTENCY_KEY_REUSED",
            "this " + HEADER + " was already used with a different request body", (JsonObject) null);
      }
      return new Outcome(row.getInteger("status"), new JsonObject(row.getString("body")), true);
    });
  }

  /** Removes the keys older than {@link #KEEP}; answers how many. Safe on every replica at once. */
  public Future<Integer> purgeExpired() {
    return pool.preparedQuery(PURGE).execute(Tuple.of((double) KEEP.toSeconds())).map(rows -> rows.rowCount());
  }

  private static byte[] sha256(Buffer body) {
    return Sha256.of(body == null ? new byte[0] : body.getBytes());
  }
}
