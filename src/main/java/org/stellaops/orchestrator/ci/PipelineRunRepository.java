package org.stellaops.orchestrator.ci;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.stellaops.orchestrator.platform.Cursor;
import org.stellaops.orchestrator.platform.Ids;
import org.stellaops.orchestrator.platform.InTransaction;
import org.stellaops.orchestrator.platform.Page;

/**
 * Pipeline runs. Every way a run can end — a poll (scheduled, or asked for by a CI event),
 * cancellation, the deadline — goes through {@link #complete} or {@link #completeAll}, an UPDATE
 * conditional on the run still being active, so exactly one of them wins and publishes the
 * completion. Each takes the writes that must commit with the run's end (its events) and runs
 * them in its transaction.
 */
public final class PipelineRunRepository {

  /** The list its cursors belong to; a cursor of another list is refused. */
  static final String CURSOR_LIST = "pipeline-runs";

  private static final String ACTIVE = "status IN ('pending', 'running')";
  private static final String INSERT = """
      INSERT INTO pipeline_run (id, integration_id, integration_type, pipeline_id, ref, variables, vendor_run_id,
                                correlation_id, web_url, status, vendor_status, wait_for_completion, origin,
                                poll_interval_seconds, deadline_at, next_poll_at, release_id, promotion_id,
                                environment, created_by, notes)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, now() + make_interval(secs => $15),
              now() + make_interval(secs => $16), $17, $18, $19, $20, $21)
      RETURNING *
      """;
  /** The run and, while it is active, its wait row, in one statement. */
  private static final String INSERT_WITH_WAIT = "WITH r AS (" + INSERT + "), "
      + "w AS (INSERT INTO pipeline_wait (run_id, integration_id, poll_interval_seconds, next_poll_at) "
      + "      SELECT id, integration_id, poll_interval_seconds, next_poll_at FROM r "
      + "      WHERE status IN ('pending', 'running')) "
      + "SELECT * FROM r";
  /** A run with the live schedule of its wait, when it has one. */
  private static final String SELECT_RUN = "SELECT p.*, w.next_poll_at AS wait_next_poll_at, w.polls AS wait_polls "
      + "FROM pipeline_run p LEFT JOIN pipeline_wait w ON w.run_id = p.id ";
  private static final String FIND = SELECT_RUN + "WHERE p.id = $1";
  private static final String FIND_ACTIVE_BY_VENDOR_ID = SELECT_RUN
      + "WHERE p.integration_id = $1 AND p.vendor_run_id = $2 AND p." + ACTIVE;
  /**
   * Active runs with a vendor run id on any CI integration, for events that name no integration;
   * one index lookup per CI integration ({@code pipeline_run_vendor}), not a scan of every run.
   */
  private static final String ACTIVE_IDS_BY_VENDOR_ID_ANY_INTEGRATION = """
      SELECT id FROM pipeline_run
      WHERE integration_id = ANY (ARRAY (SELECT id FROM integration WHERE type LIKE 'ci.%'))
        AND vendor_run_id = $1 AND status IN ('pending', 'running')
      ORDER BY created_at LIMIT $2
      """;
  private static final String LIST = SELECT_RUN
      + "WHERE ($1::text IS NULL OR p.status = $1) AND ($2::uuid IS NULL OR p.integration_id = $2) "
      + "AND ($3::timestamptz IS NULL OR (p.created_at, p.id) < ($3, $4::uuid)) "
      + "ORDER BY p.created_at DESC, p.id DESC LIMIT $5";
  /**
   * Claims due waits and moves their next poll one interval (±10% jitter) ahead in the same
   * statement; returns the claimed runs with their new schedule. {@code = ANY (ARRAY (…))}, not
   * {@code IN (…)}: with IN the planner hash-joined the claimed ids against a sequential scan of
   * every wait (57 of 85 ms per 500-row claim at 100,000 waits); an array of ids is looked up
   * through the primary key.
   */
  private static final String CLAIM_DUE = """
      WITH c AS (
        UPDATE pipeline_wait w
        SET next_poll_at = now() + make_interval(secs => w.poll_interval_seconds * (0.9 + random() * 0.2)),
            polls = w.polls + 1
        WHERE w.run_id = ANY (ARRAY (SELECT run_id FROM pipeline_wait WHERE next_poll_at <= now()
                                     ORDER BY next_poll_at LIMIT $1 FOR UPDATE SKIP LOCKED))
        RETURNING w.run_id, w.next_poll_at, w.polls)
      SELECT p.*, c.next_poll_at AS wait_next_poll_at, c.polls AS wait_polls
      FROM pipeline_run p JOIN c ON p.id = c.run_id
      WHERE p.status IN ('pending', 'running')
      """;
  /**
   * Least time between two polls that CI events ask for, per run: events (forged ones too) then
   * cost the CI system at most one extra call per run in this many seconds.
   */
  public static final int REQUESTED_POLL_SPACING_SECONDS = 5;
  /**
   * Claims one wait for a poll a CI event asked for, the way {@link #CLAIM_DUE} claims due ones
   * (the next scheduled poll moves one interval ahead, the claim is counted), unless the wait is
   * postponed beyond one interval: its integration is paused until a rate limit resets, or it
   * backs off after errors. An event never makes the CI system be asked sooner than that.
   */
  private static final String CLAIM_REQUESTED = """
      WITH c AS (
        UPDATE pipeline_wait w
        SET next_poll_at = now() + make_interval(secs => w.poll_interval_seconds * (0.9 + random() * 0.2)),
            polls = w.polls + 1, requested_poll_at = now()
        WHERE w.run_id = $1 AND w.next_poll_at <= now() + make_interval(secs => w.poll_interval_seconds * 1.1)
          AND (w.requested_poll_at IS NULL OR w.requested_poll_at <= now() - make_interval(secs => $2::int))
        RETURNING w.run_id, w.next_poll_at, w.polls)
      SELECT p.*, c.next_poll_at AS wait_next_poll_at, c.polls AS wait_polls
      FROM pipeline_run p JOIN c ON p.id = c.run_id
      WHERE p.status IN ('pending', 'running')
      """;
  // Lock order, everywhere: the pipeline_run row first, then its pipeline_wait row (CLAIM_DUE,
  // CLAIM_REQUESTED and POSTPONE* lock wait rows only). Two statements taking them the other way round would deadlock.

  /** Ends the run if active, and drops its wait row (keeping its poll count) in the same statement. */
  private static final String COMPLETE = "WITH l AS (SELECT id FROM pipeline_run WHERE id = $1 AND " + ACTIVE
      + " FOR UPDATE), "
      + "w AS (DELETE FROM pipeline_wait WHERE run_id IN (SELECT id FROM l) RETURNING polls) "
      + "UPDATE pipeline_run SET status = $2, vendor_status = $3, "
      + "web_url = coalesce($4, web_url), last_error = coalesce($5, last_error), completed_by = $6, "
      + "completed_at = now(), updated_at = now(), vendor_run_id = coalesce(vendor_run_id, $7), "
      + "polls = coalesce((SELECT polls FROM w), polls) "
      + "WHERE id = $1 AND " + ACTIVE + " RETURNING *";
  /** Ends many runs that polls saw finish, in one statement; returns those this call ended. */
  private static final String COMPLETE_ALL = """
      WITH c AS (SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
                        AS c(id, status, vendor_status, web_url, vendor_run_id, completed_by)),
           l AS (SELECT id FROM pipeline_run WHERE id IN (SELECT id FROM c) AND status IN ('pending', 'running')
                 ORDER BY id FOR UPDATE),
           w AS (DELETE FROM pipeline_wait WHERE run_id IN (SELECT id FROM l) RETURNING run_id, polls)
      UPDATE pipeline_run p
      SET status = c.status, vendor_status = c.vendor_status, web_url = coalesce(c.web_url, p.web_url),
          completed_by = c.completed_by, completed_at = now(), updated_at = now(),
          vendor_run_id = coalesce(p.vendor_run_id, c.vendor_run_id), polls = coalesce(w.polls, p.polls)
      FROM c LEFT JOIN w ON w.run_id = c.id
      WHERE p.id = c.id AND p.status IN ('pending', 'running')
      RETURNING p.*
      """;
  /** Non-terminal changes seen by polls, many runs in one statement. */
  private static final String PROGRESS_ALL = """
      WITH c AS (SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
                        AS c(id, status, vendor_status, web_url, vendor_run_id, etag)),
           l AS (SELECT id FROM pipeline_run WHERE id IN (SELECT id FROM c) AND status IN ('pending', 'running')
                 ORDER BY id FOR UPDATE)
      UPDATE pipeline_run p
      SET status = c.status, vendor_status = c.vendor_status, web_url = coalesce(c.web_url, p.web_url),
          vendor_run_id = coalesce(c.vendor_run_id, p.vendor_run_id), etag = c.etag,
          consecutive_errors = 0, last_error = NULL, updated_at = now()
      FROM c JOIN l ON l.id = c.id
      WHERE p.id = c.id
      """;
  private static final String FAILED_POLL = "WITH r AS (UPDATE pipeline_run "
      + "SET consecutive_errors = consecutive_errors + 1, last_error = $2, updated_at = now() "
      + "WHERE id = $1 AND " + ACTIVE + " RETURNING id, deadline_at) "
      + "UPDATE pipeline_wait w SET next_poll_at = least(r.deadline_at, now() + make_interval(secs => $3)) "
      + "FROM r WHERE w.run_id = r.id";
  private static final String POSTPONE = "UPDATE pipeline_wait SET next_poll_at = $2 WHERE run_id = $1";
  private static final String POSTPONE_INTEGRATION = "UPDATE pipeline_wait SET next_poll_at = $2 "
      + "WHERE integration_id = $1 AND next_poll_at < $2";
  private static final String EXPIRE = "WITH l AS (SELECT id FROM pipeline_run WHERE " + ACTIVE
      + " AND deadline_at <= now() LIMIT $1 FOR UPDATE SKIP LOCKED), "
      + "w AS (DELETE FROM pipeline_wait WHERE run_id IN (SELECT id FROM l) RETURNING run_id, polls) "
      + "UPDATE pipeline_run p SET status = 'timed_out', completed_by = 'deadline', completed_at = now(), "
      + "updated_at = now(), polls = coalesce(w.polls, p.polls) "
      + "FROM l LEFT JOIN w ON w.run_id = l.id WHERE p.id = l.id RETURNING p.*";
  private static final String COUNT_ACTIVE = "SELECT count(*) FROM pipeline_wait";

  private final Pool pool;

  public PipelineRunRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<PipelineRun> insert(NewRun r) {
    NewRun.Pipeline pipeline = r.pipeline();
    NewRun.Request request = r.request();
    VendorRun vendor = r.vendor();
    NewRun.Schedule schedule = r.schedule();
    TriggerRun.Context context = r.context();
    return pool.preparedQuery(INSERT_WITH_WAIT).execute(Tuple.tuple()
            .addUUID(Ids.timeOrdered()).addUUID(pipeline.integrationId()).addString(pipeline.integrationType())
            .addString(pipeline.pipelineId()).addString(request.ref()).addValue(request.variables())
            .addString(vendor.runId()).addString(request.correlationId()).addString(vendor.webUrl())
            .addString(vendor.status()).addString(vendor.vendorStatus())
            .addBoolean(schedule.waitForCompletion()).addString(schedule.origin())
            .addInteger(schedule.pollIntervalSeconds()).addInteger(schedule.timeoutSeconds())
            .addInteger(schedule.firstPollInSeconds()).addUUID(context.releaseId()).addUUID(context.promotionId())
            .addString(context.environment()).addString(request.createdBy())
            .addValue(new JsonArray(new ArrayList<>(vendor.notes()))))
        .map(rows -> PipelineRun.fromRow(rows.iterator().next()));
  }

  public Future<Optional<PipelineRun>> find(UUID id) {
    return pool.preparedQuery(FIND).execute(Tuple.of(id)).map(PipelineRunRepository::first);
  }

  public Future<Optional<PipelineRun>> findActiveByVendorId(UUID integrationId, String vendorRunId) {
    return pool.preparedQuery(FIND_ACTIVE_BY_VENDOR_ID).execute(Tuple.of(integrationId, vendorRunId))
        .map(PipelineRunRepository::first);
  }

  public Future<Page<PipelineRun>> list(String status, UUID integrationId, Cursor after, int limit) {
    Tuple args = Tuple.tuple().addString(status).addUUID(integrationId)
        .addOffsetDateTime(after == null ? null : after.at().atOffset(ZoneOffset.UTC))
        .addUUID(after == null ? null : after.uuid()).addInteger(limit + 1);
    return pool.preparedQuery(LIST).execute(args).map(rows -> Page.of(all(rows), limit,
        r -> new Cursor(CURSOR_LIST, r.createdAt().toInstant(), r.id().toString())));
  }

  /** The active runs of a vendor run id: on one integration, or (null) on any CI integration, at most {@code limit}. */
  public Future<List<UUID>> activeIdsByVendorId(UUID integrationId, String vendorRunId, int limit) {
    if (integrationId != null) {
      return findActiveByVendorId(integrationId, vendorRunId).map(found -> found.map(r -> List.of(r.id()))
          .orElse(List.of()));
    }
    return pool.preparedQuery(ACTIVE_IDS_BY_VENDOR_ID_ANY_INTEGRATION).execute(Tuple.of(vendorRunId, limit))
        .map(rows -> {
          List<UUID> ids = new ArrayList<>(rows.size());
          rows.forEach(row -> ids.add(row.getUUID("id")));
          return ids;
        });
  }

  public Future<List<PipelineRun>> claimDue(int limit) {
    return pool.preparedQuery(CLAIM_DUE).execute(Tuple.of(limit)).map(PipelineRunRepository::all);
  }

  /** Claims one active wait for an event-requested poll; empty when it ended or is postponed (see the SQL). */
  public Future<Optional<PipelineRun>> claimRequested(UUID id) {
    return pool.preparedQuery(CLAIM_REQUESTED).execute(Tuple.of(id, REQUESTED_POLL_SPACING_SECONDS))
        .map(PipelineRunRepository::first);
  }

  /**
   * Ends a run if it is still active, and runs {@code also} for it in the same transaction;
   * empty (and {@code also} not run) when something else ended it first.
   */
  public Future<Optional<PipelineRun>> complete(UUID id, String status, String vendorStatus, String webUrl,
      String error, String completedBy, String vendorRunId, InTransaction<PipelineRun> also) {
    return pool.withTransaction(conn -> conn.preparedQuery(COMPLETE)
        .execute(Tuple.of(id, status, vendorStatus, webUrl, error, completedBy, vendorRunId))
        .map(PipelineRunRepository::first)
        .compose(ended -> ended.isEmpty() ? Future.succeededFuture(ended)
            : also.write(conn, ended.get()).map(ended)));
  }

  /**
   * A terminal status seen by a poll; {@code completedBy} is {@code poll} for a scheduled poll and
   * {@code webhook} for one a CI event asked for (the status is still the CI system's answer).
   */
  public record PolledEnd(UUID id, String status, String vendorStatus, String webUrl, String vendorRunId,
      String completedBy) {}

  /**
   * Ends the runs of many polls in one statement and one commit, each only if still active
   * (the same condition as {@link #complete}, so another poll or a cancellation racing a poll still
   * wins or loses as a whole), and runs {@code also} for the runs it ended in the same
   * transaction. Answers, per item in order, the run if this call ended it.
   */
  public Future<List<Optional<PipelineRun>>> completeAll(List<PolledEnd> ends, InTransaction<List<PipelineRun>> also) {
    Tuple args = Tuple.tuple()
        .addArrayOfUUID(ends.stream().map(PolledEnd::id).toArray(UUID[]::new))
        .addArrayOfString(ends.stream().map(PolledEnd::status).toArray(String[]::new))
        .addArrayOfString(ends.stream().map(PolledEnd::vendorStatus).toArray(String[]::new))
        .addArrayOfString(ends.stream().map(PolledEnd::webUrl).toArray(String[]::new))
        .addArrayOfString(ends.stream().map(PolledEnd::vendorRunId).toArray(String[]::new))
        .addArrayOfString(ends.stream().map(PolledEnd::completedBy).toArray(String[]::new));
    return pool.withTransaction(conn -> conn.preparedQuery(COMPLETE_ALL).execute(args)
        .map(PipelineRunRepository::all)
        .compose(ended -> also.write(conn, ended).map(ended)))
        .map(ended -> {
          java.util.Map<UUID, PipelineRun> byId = new java.util.HashMap<>();
          ended.forEach(run -> byId.put(run.id(), run));
          // remove(): a run named twice in one batch is reported ended once.
          return ends.stream().map(e -> Optional.ofNullable(byId.remove(e.id()))).toList();
        });
  }

  /** A non-terminal change seen by a poll. */
  public record Progress(UUID id, String status, String vendorStatus, String webUrl, String vendorRunId,
      String etag) {}

  /**
   * Records the non-terminal changes of many polls in one statement and one commit (the poller
   * group-commits them); a run that ended meanwhile is left alone.
   */
  public Future<List<Void>> progressAll(List<Progress> changes) {
    Tuple args = Tuple.tuple()
        .addArrayOfUUID(changes.stream().map(Progress::id).toArray(UUID[]::new))
        .addArrayOfString(changes.stream().map(Progress::status).toArray(String[]::new))
        .addArrayOfString(changes.stream().map(Progress::vendorStatus).toArray(String[]::new))
        .addArrayOfString(changes.stream().map(Progress::webUrl).toArray(String[]::new))
        .addArrayOfString(changes.stream().map(Progress::vendorRunId).toArray(String[]::new))
        .addArrayOfString(changes.stream().map(Progress::etag).toArray(String[]::new));
    return pool.preparedQuery(PROGRESS_ALL).execute(args)
        .map(rows -> java.util.Collections.nCopies(changes.size(), (Void) null));
  }

  /** Records a failed poll and when to try again (never later than the deadline). */
  public Future<Void> failedPoll(UUID id, String error, int retryInSeconds) {
    return pool.preparedQuery(FAILED_POLL).execute(Tuple.of(id, error, retryInSeconds)).mapEmpty();
  }

  public Future<Void> postpone(UUID id, Instant until) {
    return pool.preparedQuery(POSTPONE).execute(Tuple.of(id, until.atOffset(ZoneOffset.UTC))).mapEmpty();
  }

  /**
   * Pauses every wait of an integration until {@code until} (its rate limit resets). Kept in the
   * rows, not in memory, so no replica polls that integration before the reset.
   */
  public Future<Void> postponeIntegration(UUID integrationId, Instant until) {
    return pool.preparedQuery(POSTPONE_INTEGRATION).execute(Tuple.of(integrationId, until.atOffset(ZoneOffset.UTC)))
        .mapEmpty();
  }

  /**
   * Ends waits whose deadline passed, as timed_out, and runs {@code also} for them in the same
   * transaction; returns them so their completion can be published.
   */
  public Future<List<PipelineRun>> expire(int limit, InTransaction<List<PipelineRun>> also) {
    return pool.withTransaction(conn -> conn.preparedQuery(EXPIRE).execute(Tuple.of(limit))
        .map(PipelineRunRepository::all)
        .compose(expired -> expired.isEmpty() ? Future.succeededFuture(expired)
            : also.write(conn, expired).map(expired)));
  }

  public Future<Long> countActive() {
    return pool.query(COUNT_ACTIVE).execute().map(rows -> rows.iterator().next().getLong(0));
  }

  private static Optional<PipelineRun> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(PipelineRun.fromRow(rows.iterator().next()));
  }

  private static List<PipelineRun> all(RowSet<Row> rows) {
    List<PipelineRun> runs = new ArrayList<>(rows.size());
    rows.forEach(row -> runs.add(PipelineRun.fromRow(row)));
    return runs;
  }

}
