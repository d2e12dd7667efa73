package org.stellaops.orchestrator.reporting;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The status-report outbox and the GitHub and GitLab deployment ids it creates. */
public final class StatusReportRepository {

  private static final String INSERT = """
      INSERT INTO status_report (deployment_job_id, integration_id, reporter, phase) VALUES ($1, $2, $3, $4)
      """;
  /** Due reports, oldest first, never one whose earlier report for the same job and integration is still pending. */
  private static final String CLAIM = """
      UPDATE status_report SET next_attempt_at = now() + interval '60 seconds', attempts = attempts + 1
      WHERE id IN (SELECT r.id FROM status_report r
                   WHERE r.status = 'pending' AND r.next_attempt_at <= now()
                     AND NOT EXISTS (SELECT 1 FROM status_report e
                                     WHERE e.deployment_job_id = r.deployment_job_id
                                       AND e.integration_id = r.integration_id AND e.status = 'pending' AND e.id < r.id)
                   ORDER BY r.id LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING id, deployment_job_id, integration_id, reporter, phase, attempts
      """;
  private static final String SENT = "UPDATE status_report SET status = 'sent', sent_at = now(), last_error = NULL WHERE id = $1";
  private static final String RETRY = """
      UPDATE status_report SET last_error = $2, next_attempt_at = now() + make_interval(secs => $3),
             status = CASE WHEN $4 THEN 'failed' ELSE status END
      WHERE id = $1
      """;
  private static final String CONTEXT = """
      SELECT j.id AS job_id, j.promotion_id, r.id AS release_id, r.name AS release_name, r.source_ref,
             e.name AS environment, e.url AS environment_url
      FROM deployment_job j JOIN release r ON r.id = j.release_id JOIN environment e ON e.id = j.environment_id
      WHERE j.id = $1
      """;
  private static final String SOURCE_REF = "SELECT source_ref FROM release WHERE id = $1";
  private static final String GITHUB_ID = """
      SELECT github_deployment_id FROM github_deployment WHERE deployment_job_id = $1 AND integration_id = $2
      """;
  private static final String SAVE_GITHUB_ID = """
      INSERT INTO github_deployment (deployment_job_id, integration_id, github_deployment_id) VALUES ($1, $2, $3)
      ON CONFLICT DO NOTHING
      """;
  private static final String GITLAB_ID = """
      SELECT gitlab_deployment_id FROM gitlab_deployment WHERE deployment_job_id = $1 AND integration_id = $2
      """;
  private static final String SAVE_GITLAB_ID = """
      INSERT INTO gitlab_deployment (deployment_job_id, integration_id, gitlab_deployment_id) VALUES ($1, $2, $3)
      ON CONFLICT DO NOTHING
      """;

  private final Pool pool;

  public StatusReportRepository(Pool pool) {
    this.pool = pool;
  }

  public record Report(long id, UUID jobId, UUID integrationId, String reporter, String phase, int attempts) {}

  /** Queues one report on {@code conn}, inside the transaction of the change it reports. */
  public Future<Void> insert(SqlConnection conn, UUID jobId, UUID integrationId, String reporter, String phase) {
    return conn.preparedQuery(INSERT).execute(Tuple.of(jobId, integrationId, reporter, phase)).mapEmpty();
  }

  /** The release's {@code sourceRef}; empty when it has none (or there is no such release). */
  public Future<Optional<JsonObject>> sourceRef(UUID releaseId) {
    return pool.preparedQuery(SOURCE_REF).execute(Tuple.of(releaseId)).map(rows -> rows.size() == 0
        ? Optional.empty() : Optional.ofNullable((JsonObject) rows.iterator().next().getValue(0)));
  }

  public Future<List<Report>> claim(int limit) {
    return pool.preparedQuery(CLAIM).execute(Tuple.of(limit)).map(rows -> {
      List<Report> due = new ArrayList<>();
      for (Row row : rows) {
        due.add(new Report(row.getLong("id"), row.getUUID("deployment_job_id"), row.getUUID("integration_id"),
            row.getString("reporter"), row.getString("phase"), row.getInteger("attempts")));
      }
      due.sort(java.util.Comparator.comparingLong(Report::id));
      return due;
    });
  }

  public Future<Void> sent(long id) {
    return pool.preparedQuery(SENT).execute(Tuple.of(id)).mapEmpty();
  }

  public Future<Void> retry(long id, String error, int delaySeconds, boolean giveUp) {
    return pool.preparedQuery(RETRY).execute(Tuple.of(id, error, delaySeconds, giveUp)).mapEmpty();
  }

  /** Everything a reporter needs about a deployment job: release, source ref, environment. */
  public Future<Optional<JsonObject>> context(UUID jobId) {
    return pool.preparedQuery(CONTEXT).execute(Tuple.of(jobId)).map(rows -> {
      if (rows.size() == 0) {
        return Optional.empty();
      }
      Row row = rows.iterator().next();
      return Optional.of(new JsonObject()
          .put("jobId", row.getUUID("job_id").toString())
          .put("promotionId", row.getUUID("promotion_id") == null ? null : row.getUUID("promotion_id").toString())
          .put("releaseId", row.getUUID("release_id").toString())
          .put("releaseName", row.getString("release_name"))
          .put("sourceRef", row.getValue("source_ref"))
          .put("environment", row.getString("environment"))
          .put("environmentUrl", row.getString("environment_url")));
    });
  }

  public Future<Optional<Long>> githubDeployment(UUID jobId, UUID integrationId) {
    return pool.preparedQuery(GITHUB_ID).execute(Tuple.of(jobId, integrationId)).map(rows -> rows.size() == 0
        ? Optional.empty() : Optional.of(rows.iterator().next().getLong(0)));
  }

  public Future<Void> saveGithubDeployment(UUID jobId, UUID integrationId, long deploymentId) {
    return pool.preparedQuery(SAVE_GITHUB_ID).execute(Tuple.of(jobId, integrationId, deploymentId)).mapEmpty();
  }

  public Future<Optional<Long>> gitlabDeployment(UUID jobId, UUID integrationId) {
    return pool.preparedQuery(GITLAB_ID).execute(Tuple.of(jobId, integrationId)).map(rows -> rows.size() == 0
        ? Optional.empty() : Optional.of(rows.iterator().next().getLong(0)));
  }

  public Future<Void> saveGitlabDeployment(UUID jobId, UUID integrationId, long deploymentId) {
    return pool.preparedQuery(SAVE_GITLAB_ID).execute(Tuple.of(jobId, integrationId, deploymentId)).mapEmpty();
  }
}
