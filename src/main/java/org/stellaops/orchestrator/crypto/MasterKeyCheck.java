package org.stellaops.orchestrator.crypto;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.SecretKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the master key is the one the database's encrypted values were sealed with, before
 * the gateway serves anything. The database keeps a key check value, HMAC-SHA256 of a fixed
 * label under the key (never the key, nor a hash of it alone); a start with a key whose check
 * value differs fails. The first start on a database records it. A database upgraded from a
 * version that kept no check value gets one only after a stored ciphertext opens with the key;
 * one that does not open fails the start the same way.
 *
 * <p>Replicas starting together race on one row: the first insert wins, the others compare
 * against it, so two replicas with different keys never both start on one database.
 */
public final class MasterKeyCheck {

  private static final Logger LOG = LoggerFactory.getLogger(MasterKeyCheck.class);
  static final String SETTING = "master_key_check";
  private static final byte[] LABEL = "stella master key check v1".getBytes(StandardCharsets.US_ASCII);

  private static final String FIND = "SELECT value FROM gateway_setting WHERE name = $1";
  private static final String RECORD = """
      INSERT INTO gateway_setting (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING
      """;
  /** The sealed header values of a workflow's steps ({@code %1$s}: the jsonb array of steps). */
  private static final String SEALED_HEADERS = """
      CROSS JOIN LATERAL jsonb_array_elements(CASE jsonb_typeof(%1$s) WHEN 'array' THEN %1$s
                                               ELSE '[]'::jsonb END) AS s(step)
      CROSS JOIN LATERAL jsonb_each(CASE jsonb_typeof(s.step -> 'config' -> 'headers')
                                    WHEN 'object' THEN s.step -> 'config' -> 'headers' ELSE '{}'::jsonb END) AS h
      WHERE h.value ->> 'sealed' IS NOT NULL
      """;
  /**
   * One stored ciphertext with the id it is bound to: an integration's credentials, an event
   * subscription's secret, or a sealed step header of an environment's workflow or of a
   * promotion's snapshot of it (sealed with its target environment's id). Stops at the first.
   */
  private static final String ONE_CIPHERTEXT = """
      (SELECT id, credentials AS sealed FROM integration WHERE credentials IS NOT NULL LIMIT 1)
      UNION ALL
      (SELECT id, secret FROM event_subscription LIMIT 1)
      UNION ALL
      (SELECT e.id, decode(h.value ->> 'sealed', 'base64') FROM environment e
       %s LIMIT 1)
      UNION ALL
      (SELECT p.target_environment_id, decode(h.value ->> 'sealed', 'base64') FROM promotion p
       %s LIMIT 1)
      LIMIT 1
      """.formatted(SEALED_HEADERS.formatted("e.workflow"), SEALED_HEADERS.formatted("p.steps"));

  private final Pool pool;
  private final SecretKey key;

  public MasterKeyCheck(Pool pool, SecretKey key) {
    this.pool = pool;
    this.key = key;
  }

  /** Succeeds when the key is this database's; fails with {@link MismatchException} otherwise. */
  public Future<Void> verify() {
    String expected = checkValue(key);
    return stored().compose(stored -> {
      if (stored.isPresent()) {
        return compare(stored.get(), expected);
      }
      return oneCiphertext().compose(sample -> {
        if (sample.isPresent() && !opens(sample.get())) {
          return Future.failedFuture(mismatch(true));
        }
        return pool.preparedQuery(RECORD).execute(Tuple.of(SETTING, expected))
            .compose(v -> stored())
            .compose(winner -> compare(winner.orElseThrow(), expected))
            .onSuccess(v -> LOG.info("master key check value recorded{}", sample.isPresent()
                ? " after a stored credential opened with the key" : ""));
      });
    });
  }

  private Future<Void> compare(String stored, String expected) {
    if (ConstantTime.same(expected, stored)) {
      return Future.succeededFuture();
    }
    return oneCiphertext().compose(sample -> Future.failedFuture(mismatch(sample.isPresent())));
  }

  /** Base64 of HMAC-SHA256(key, label). Pure. */
  static String checkValue(SecretKey key) {
    return Base64.getEncoder().encodeToString(Hmac.sha256(key.getEncoded(), LABEL));
  }

  private boolean opens(Sample sample) {
    try {
      new CredentialCipher(key).decrypt(sample.owner(), sample.sealed());
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  private record Sample(UUID owner, byte[] sealed) {}

  private Future<Optional<String>> stored() {
    return pool.preparedQuery(FIND).execute(Tuple.of(SETTING))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getString(0)));
  }

  private Future<Optional<Sample>> oneCiphertext() {
    return pool.query(ONE_CIPHERTEXT).execute().map(rows -> {
      if (rows.size() == 0) {
        return Optional.empty();
      }
      Row row = rows.iterator().next();
      return Optional.of(new Sample(row.getUUID(0), row.getBuffer(1).getBytes()));
    });
  }

  /** {@code encrypted}: whether anything in the database is sealed under the recorded key yet. */
  static MismatchException mismatch(boolean encrypted) {
    String what = "The master key (STELLA_MASTER_KEY, else master.key in the data directory) does not match the one "
        + (encrypted ? "this database's stored credentials were encrypted with (integration credentials, "
            + "event-subscription secrets, step header values)" : "this database was first started with");
    String fix = "Start with the original key (replicas sharing a database must share one key). The gateway "
        + "cannot re-encrypt stored values under a new key; see docs/operations.md, \"Master key\".";
    String adopt = encrypted ? "" : " Nothing is encrypted in this database yet: to bind it to this key instead, "
        + "run DELETE FROM gateway_setting WHERE name = '" + SETTING + "' and start again.";
    return new MismatchException(what + ". " + fix + adopt);
  }

  /** The start-up failure when the key is not the database's; its message says how to fix it. */
  public static final class MismatchException extends IllegalStateException {
    MismatchException(String message) {
      super(message);
    }
  }
}
