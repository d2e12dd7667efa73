package org.stellaops.orchestrator.workflow;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.stellaops.orchestrator.platform.InTransaction;

/**
 * Promotions, their approvals and deployment jobs. {@link #transition} is the only way a
 * promotion changes: one UPDATE that checks and bumps {@code version}, so of two replicas
 * handling the same event only one moves the promotion on.
 */
public final class PromotionRepository {

  private static final String INSERT_JOB = """
      INSERT INTO deployment_job (id, release_id, environment_id, promotion_id, status) VALUES ($1, $2, $3, $4, 'running')
      """;
  private static final String INSERT = """
      INSERT INTO promotion (id, release_id, target_environment_id, status, steps, required_approvals,
                             deployment_job_id, requested_by, reason, trigger, requested_by_id)
      VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $8, $9, $10)
      RETURNING *
      """;
  private static final String FIND = "SELECT * FROM promotion WHERE id = $1";
  private static final String LIST = "SELECT * FROM promotion WHERE ($1::uuid IS NULL OR release_id = $1) "
      + "ORDER BY created_at DESC, id DESC LIMIT $2";
  private static final String RESUMABLE = "SELECT id FROM promotion WHERE waiting_on IS NULL "
      + "AND status NOT IN ('deployed', 'rejected', 'cancelled', 'failed', 'rolled_back')";
  /** Runs that ended while a promotion still waits on them (a lost wake-up); active ones are skipped. */
  private static final String WAITING_ON_RUNS = "SELECT DISTINCT substr(p.waiting_on, 5) AS run FROM promotion p "
      + "JOIN pipeline_run r ON r.id::text = substr(p.waiting_on, 5) "
      + "WHERE p.waiting_on LIKE 'run:%' AND r.status NOT IN ('pending', 'running')";
  private static final String WAITING_ON = "SELECT id FROM promotion WHERE waiting_on = $1";
  private static final String WAITING_ON_ANY = "SELECT id, waiting_on FROM promotion WHERE waiting_on = ANY ($1::text[])";
  private static final String TRANSITION = """
      UPDATE promotion SET status = $3, steps = $4, current_step = $5, waiting_on = $6, error = $7,
             version = version + 1, updated_at = now(),
             completed_at = CASE WHEN $3 IN ('deployed', 'rejected', 'cancelled', 'failed', 'rolled_back')
                                 THEN now() ELSE NULL END
      WHERE id = $1 AND version = $2
      RETURNING *
      """;
  private static final String APPROVE = """
      INSERT INTO promotion_approval (promotion_id, approver, approver_id, decision, comment) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (promotion_id, approver_id) DO NOTHING
      """;
  /** Approvals by anyone but the requester (one recorded before the four-eyes rule does not count). */
  private static final String APPROVERS = """
      SELECT a.approver FROM promotion_approval a JOIN promotion p ON p.id = a.promotion_id
      WHERE a.promotion_id = $1 AND a.decision = 'approved'
        AND a.approver_id <> coalesce(p.requested_by_id, p.requested_by)
      ORDER BY a.created_at
      """;
  private static final String SET_CALLBACK_HASH = """
      UPDATE deployment_job SET callback_token_hash = $2 WHERE id = $1 AND status IN ('pending', 'running')
      """;
  private static final String CALLBACK_HASH = """
      SELECT callback_token_hash FROM deployment_job WHERE id = $1 AND status IN ('pending', 'running')
      """;
  private static final String CLEAR_CALLBACK_HASH = "UPDATE deployment_job SET callback_token_hash = NULL WHERE id = $1";
  private static final String WITH_PLAINTEXT_HEADERS = """
      SELECT * FROM promotion WHERE jsonb_path_exists(steps, '$[*].config.headers.* ? (@.type() == "string")')
      """;
  /**
   * Rewrites a promotion's steps without bumping its version, so a replica moving the same
   * promotion at that moment is not turned away (it may write the old steps back; the next
   * start's pass seals them again).
   */
  private static final String RESEAL = "UPDATE promotion SET steps = $3 WHERE id = $1 AND version = $2";
  private static final String FIND_JOB = "SELECT * FROM deployment_job WHERE id = $1";
  private static final String LIST_JOBS = "SELECT * FROM deployment_job WHERE ($1::uuid IS NULL OR environment_id = $1) "
      + "ORDER BY created_at DESC, id DESC LIMIT $2";
  private static final String LAST_GOOD_BEFORE = """
      SELECT release_id FROM deployment_job
      WHERE environment_id = $1 AND status = 'succeeded' AND created_at < $2 AND release_id <> $3
      ORDER BY created_at DESC LIMIT 1
      """;
  private static final String MARK_ROLLED_BACK = """
      UPDATE deployment_job SET status = 'rolled_back', rolled_back_by = $2 WHERE id = $1
      """;
  private static final String FINISH_JOB = """
      UPDATE deployment_job SET status = $2, message = $3, target_url = coalesce($4, target_url), finished_at = now(),
             callback_token_hash = NULL
      WHERE id = $1 AND status IN ('pending', 'running')
      """;

  private final Pool pool;

  public PromotionRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * Creates the promotion and its deployment job together, with {@code also} (its events and
   * status reports) in the same transaction. {@code trigger} auto is unique per release and
   * environment: a second insert fails with SQLSTATE 23505.
   */
  public Future<Promotion> insert(UUID releaseId, UUID environmentId, JsonArray steps, int requiredApprovals,
      String requestedBy, String requestedById, String reason, String trigger, InTransaction<Promotion> also) {
    UUID id = UUID.randomUUID();
    UUID job = UUID.randomUUID();
    return pool.withTransaction(conn -> conn.preparedQuery(INSERT_JOB).execute(Tuple.of(job, releaseId, environmentId, id))
        .compose(v -> conn.preparedQuery(INSERT).execute(Tuple.tuple().addUUID(id).addUUID(releaseId)
            .addUUID(environmentId).addValue(steps).addInteger(requiredApprovals).addUUID(job)
            .addString(requestedBy).addString(reason).addString(trigger).addString(requestedById)))
        .map(rows -> Promotion.fromRow(rows.iterator().next()))
        .compose(p -> also.write(conn, p).map(p)));
  }

  public Future<Optional<Promotion>> find(UUID id) {
    return pool.preparedQuery(FIND).execute(Tuple.of(id)).map(PromotionRepository::first);
  }

  public Future<List<Promotion>> list(UUID releaseId, int limit) {
    return pool.preparedQuery(LIST).execute(Tuple.tuple().addUUID(releaseId).addInteger(limit)).map(rows -> {
      List<Promotion> all = new ArrayList<>();
      rows.forEach(row -> all.add(Promotion.fromRow(row)));
      return all;
    });
  }

  /** Promotions between steps (a restart interrupted them before they waited on anything). */
  public Future<List<UUID>> resumable() {
    return pool.query(RESUMABLE).execute().map(rows -> {
      List<UUID> ids = new ArrayList<>();
      rows.forEach(row -> ids.add(row.getUUID("id")));
      return ids;
    });
  }

  /** The pipeline runs some promotion waits on. */
  public Future<List<String>> waitingOnRuns() {
    return pool.query(WAITING_ON_RUNS).execute().map(rows -> {
      List<String> runs = new ArrayList<>();
      rows.forEach(row -> runs.add(row.getString("run")));
      return runs;
    });
  }

  /** For each key, in order, the promotions waiting on it: one query for many keys. */
  public Future<List<List<UUID>>> waitingOnEach(List<String> keys) {
    return pool.preparedQuery(WAITING_ON_ANY).execute(Tuple.of(keys.toArray(String[]::new))).map(rows -> {
      java.util.Map<String, List<UUID>> byKey = new java.util.HashMap<>();
      rows.forEach(row -> byKey.computeIfAbsent(row.getString("waiting_on"), k -> new ArrayList<>())
          .add(row.getUUID("id")));
      return keys.stream().map(k -> byKey.getOrDefault(k, List.of())).toList();
    });
  }

  public Future<List<UUID>> waitingOn(String key) {
    return pool.preparedQuery(WAITING_ON).execute(Tuple.of(key)).map(rows -> {
      List<UUID> ids = new ArrayList<>();
      rows.forEach(row -> ids.add(row.getUUID("id")));
      return ids;
    });
  }

  /** Moves a promotion on if nobody else did since {@code from} was read; empty when someone did. */
  public Future<Optional<Promotion>> transition(Promotion from, String status, JsonArray steps, int currentStep,
      String waitingOn, String error) {
    return transition(pool, from, status, steps, currentStep, waitingOn, error);
  }

  /**
   * Ends a promotion (a {@link #transition} to a terminal {@code status}) and its deployment job
   * ({@code jobStatus}), with {@code also} (their events and status reports), in one
   * transaction; empty, with nothing written, when someone moved the promotion first.
   */
  public Future<Optional<Promotion>> finish(Promotion from, String status, String error, String jobStatus,
      InTransaction<Promotion> also) {
    return pool.withTransaction(conn -> transition(conn, from, status, from.steps(), from.currentStep(), null, error)
        .compose(done -> done.isEmpty() ? Future.succeededFuture(done)
            : conn.preparedQuery(FINISH_JOB).execute(Tuple.of(from.deploymentJobId(), jobStatus, error, null))
                .compose(v -> also.write(conn, done.get())).map(done)));
  }

  private static Future<Optional<Promotion>> transition(SqlClient client, Promotion from, String status,
      JsonArray steps, int currentStep, String waitingOn, String error) {
    return client.preparedQuery(TRANSITION).execute(Tuple.tuple().addUUID(from.id()).addInteger(from.version())
            .addString(status).addValue(steps).addInteger(currentStep).addString(waitingOn).addString(error))
        .map(PromotionRepository::first);
  }

  /** Records a decision; a second decision by the same principal is ignored. */
  public Future<Void> decide(UUID promotionId, String approver, String approverId, String decision, String comment) {
    return pool.preparedQuery(APPROVE).execute(Tuple.of(promotionId, approver, approverId, decision, comment))
        .mapEmpty();
  }

  /** Stores the hash of a job's callback token; false when the job has already ended. */
  public Future<Boolean> setCallbackHash(UUID jobId, byte[] hash) {
    return pool.preparedQuery(SET_CALLBACK_HASH).execute(Tuple.of(jobId, io.vertx.core.buffer.Buffer.buffer(hash)))
        .map(rows -> rows.rowCount() == 1);
  }

  /** The callback token hash of a running job; empty when there is none or the job has ended. */
  public Future<Optional<byte[]>> callbackHash(UUID jobId) {
    return pool.preparedQuery(CALLBACK_HASH).execute(Tuple.of(jobId)).map(rows -> {
      if (rows.size() == 0) {
        return Optional.empty();
      }
      io.vertx.core.buffer.Buffer hash = rows.iterator().next().getBuffer(0);
      return Optional.ofNullable(hash == null ? null : hash.getBytes());
    });
  }

  /** A callback token works once: cleared when its callback is accepted. */
  public Future<Void> clearCallbackHash(UUID jobId) {
    return pool.preparedQuery(CLEAR_CALLBACK_HASH).execute(Tuple.of(jobId)).mapEmpty();
  }

  /** Promotions whose steps still hold a plaintext header value. */
  public Future<List<Promotion>> withPlaintextHeaders() {
    return pool.query(WITH_PLAINTEXT_HEADERS).execute().map(rows -> {
      List<Promotion> all = new ArrayList<>();
      rows.forEach(row -> all.add(Promotion.fromRow(row)));
      return all;
    });
  }

  /** Replaces the steps of a promotion not moved since it was read; false when it was. */
  public Future<Boolean> reseal(Promotion p, JsonArray steps) {
    return pool.preparedQuery(RESEAL).execute(Tuple.tuple().addUUID(p.id()).addInteger(p.version()).addValue(steps))
        .map(rows -> rows.rowCount() == 1);
  }

  public Future<List<String>> approvers(UUID promotionId) {
    return pool.preparedQuery(APPROVERS).execute(Tuple.of(promotionId)).map(rows -> {
      List<String> all = new ArrayList<>();
      rows.forEach(row -> all.add(row.getString("approver")));
      return all;
    });
  }

  public Future<Optional<JsonObject>> job(UUID id) {
    return pool.preparedQuery(FIND_JOB).execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(jobJson(rows.iterator().next())));
  }

  public Future<List<JsonObject>> jobs(UUID environmentId, int limit) {
    return pool.preparedQuery(LIST_JOBS).execute(Tuple.tuple().addUUID(environmentId).addInteger(limit)).map(rows -> {
      List<JsonObject> all = new ArrayList<>();
      rows.forEach(row -> all.add(jobJson(row)));
      return all;
    });
  }

  /** The release last deployed successfully to the environment before the given time, other than {@code releaseId}. */
  public Future<Optional<UUID>> lastGoodReleaseBefore(UUID environmentId, java.time.OffsetDateTime before,
      UUID releaseId) {
    return pool.preparedQuery(LAST_GOOD_BEFORE).execute(Tuple.of(environmentId, before, releaseId))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getUUID(0)));
  }

  /** Marks a job rolled back by {@code byJob}, inside the transaction that creates the rollback. */
  public Future<Void> markRolledBack(SqlConnection conn, UUID jobId, UUID byJob) {
    return conn.preparedQuery(MARK_ROLLED_BACK).execute(Tuple.of(jobId, byJob)).mapEmpty();
  }

  private static JsonObject jobJson(Row row) {
    return new JsonObject()
        .put("jobId", row.getUUID("id").toString())
        .put("releaseId", row.getUUID("release_id").toString())
        .put("environmentId", row.getUUID("environment_id").toString())
        .put("promotionId", row.getUUID("promotion_id") == null ? null : row.getUUID("promotion_id").toString())
        .put("status", row.getString("status"))
        .put("targetUrl", row.getString("target_url"))
        .put("message", row.getString("message"))
        .put("createdAt", org.stellaops.orchestrator.platform.Json.time(row.getOffsetDateTime("created_at")))
        .put("finishedAt", org.stellaops.orchestrator.platform.Json.time(row.getOffsetDateTime("finished_at")));
  }

  private static Optional<Promotion> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(Promotion.fromRow(rows.iterator().next()));
  }
}
