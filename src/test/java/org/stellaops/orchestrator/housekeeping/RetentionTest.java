package org.stellaops.orchestrator.housekeeping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.support.RecordingServer;
import org.stellaops.orchestrator.support.TestDatabases;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;
import org.stellaops.orchestrator.support.Webhooks;

/**
 * Housekeeping deletes finished records past their retention (the defaults: 30 days for
 * deliveries and reports, 90 for pipeline runs) and nothing else. Rows are aged by writing
 * their timestamps in PostgreSQL; each pass is asked for directly rather than waited for.
 */
class RetentionTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  @AutoClose
  static final RecordingServer subscriber = new RecordingServer(r -> new RecordingServer.Answer(200, "{}"));
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();
  private static String db;
  private static String subscription;
  private static String promotion;
  private static String job;

  @BeforeAll
  static void start() throws Exception {
    db = gw.dbUrl();
    subscription = gw.post("/api/v1/event-subscriptions", ADMIN, new JsonObject().put("url", subscriber.url() + "/hook")
        .put("events", new JsonArray().add("promotion.completed")).put("secret", "subscriber-secret-0123456789"))
        .data().getString("id");
    String component = gw.createComponent("svc", "registry.example.com/svc").getString("id");
    String release = gw.post("/api/v1/releases", ADMIN, new JsonObject().put("name", "svc-1").put("components",
        new JsonArray().add(new JsonObject().put("componentId", component).put("digest", "sha256:" + "a".repeat(64)))))
        .data().getString("id");
    String env = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", "prod")).data().getString("id");
    promotion = gw.post("/api/v1/promotions", ADMIN, new JsonObject().put("releaseId", release)
        .put("targetEnvironmentId", env)).data().getString("id");
    await().atMost(Duration.ofSeconds(15)).until(() -> "deployed".equals(
        gw.get("/api/v1/promotions/" + promotion, ADMIN).data().getString("status")));
    job = gw.get("/api/v1/promotions/" + promotion, ADMIN).data().getString("deploymentJobId");
    // The outbox rows the promotion made are sent (or given up) before the test's own are added.
    await().atMost(Duration.ofSeconds(15)).until(() -> TestDatabases.query(db,
        "SELECT count(*) FROM event_delivery WHERE status = 'pending'").get(0).equals("0"));
  }

  @BeforeEach
  void clean() throws Exception {
    TestDatabases.execute(db, """
        DELETE FROM webhook_delivery; DELETE FROM event_delivery; DELETE FROM status_report;
        DELETE FROM pipeline_run;
        """);
  }

  @Test
  @DisplayName("a pass deletes old finished deliveries, reports and runs in batches, and keeps pending, in-flight, "
      + "new and promotion-linked rows, releases, promotions and deployments")
  void deletesOnlyWhatIsFinishedAndOld() throws Exception {
    TestDatabases.execute(db, """
        INSERT INTO webhook_delivery (id, source, integration_type, delivery_key, status, body, received_at,
                                      processed_at, retry_at)
        VALUES (gen_random_uuid(), 'test', 'ci.gitlab', 'old-processed', 'processed', convert_to('{}', 'UTF8'),
                now() - interval '31 days', now() - interval '31 days', NULL),
               (gen_random_uuid(), 'test', 'ci.gitlab', 'old-ignored', 'ignored', convert_to('{}', 'UTF8'),
                now() - interval '40 days', now() - interval '40 days', NULL),
               (gen_random_uuid(), 'test', 'ci.gitlab', 'old-failed', 'failed', convert_to('{}', 'UTF8'),
                now() - interval '40 days', now() - interval '40 days', NULL),
               (gen_random_uuid(), 'test', 'ci.gitlab', 'old-ignored-as-stored', 'ignored', convert_to('{}', 'UTF8'),
                now() - interval '40 days', NULL, NULL),
               (gen_random_uuid(), 'test', 'ci.gitlab', 'old-in-flight', 'received', convert_to('{}', 'UTF8'),
                now() - interval '60 days', NULL, now() + interval '1 day'),
               (gen_random_uuid(), 'test', 'ci.gitlab', 'new-processed', 'processed', convert_to('{}', 'UTF8'),
                now() - interval '29 days', now() - interval '29 days', NULL),
               (gen_random_uuid(), 'test', 'ci.github', 'sha256:0123', 'processed', convert_to('{"signed":1}', 'UTF8'),
                now() - interval '31 days', now() - interval '31 days', NULL);
        INSERT INTO webhook_delivery (id, source, integration_type, delivery_key, status, body, received_at, processed_at)
        SELECT gen_random_uuid(), 'bulk', 'ci.gitlab', 'bulk-' || g, 'processed', convert_to('{}', 'UTF8'),
               now() - interval '45 days', now() - interval '45 days'
        FROM generate_series(1, 2500) g;
        """);
    TestDatabases.execute(db, """
        INSERT INTO event_delivery (subscription_id, event_id, event_type, payload, status, next_attempt_at, created_at)
        VALUES ('%1$s', gen_random_uuid(), 'old-delivered', '{}', 'delivered', now(), now() - interval '31 days'),
               ('%1$s', gen_random_uuid(), 'old-failed', '{}', 'failed', now(), now() - interval '31 days'),
               ('%1$s', gen_random_uuid(), 'old-pending', '{}', 'pending', now() + interval '1 day',
                now() - interval '31 days'),
               ('%1$s', gen_random_uuid(), 'new-delivered', '{}', 'delivered', now(), now() - interval '1 day');
        INSERT INTO status_report (deployment_job_id, integration_id, reporter, phase, status, next_attempt_at, created_at)
        VALUES ('%2$s', gen_random_uuid(), 'old-sent', 'start', 'sent', now(), now() - interval '31 days'),
               ('%2$s', gen_random_uuid(), 'old-failed', 'start', 'failed', now(), now() - interval '31 days'),
               ('%2$s', gen_random_uuid(), 'old-pending', 'start', 'pending', now() + interval '1 day',
                now() - interval '31 days'),
               ('%2$s', gen_random_uuid(), 'new-sent', 'start', 'sent', now(), now() - interval '1 day');
        """.formatted(subscription, job));
    TestDatabases.execute(db, """
        INSERT INTO pipeline_run (id, integration_id, integration_type, pipeline_id, correlation_id, status,
                                  wait_for_completion, origin, poll_interval_seconds, deadline_at, next_poll_at,
                                  created_by, promotion_id, created_at, completed_at)
        VALUES (gen_random_uuid(), gen_random_uuid(), 'ci.gitlab', 'old-success', 'c', 'success', true, 'triggered',
                30, now() + interval '1 day', now() + interval '1 day', 'test', NULL, now() - interval '100 days', now() - interval '91 days'),
               (gen_random_uuid(), gen_random_uuid(), 'ci.gitlab', 'old-timed-out', 'c', 'timed_out', true, 'watched',
                30, now() + interval '1 day', now() + interval '1 day', 'test', NULL, now() - interval '100 days', now() - interval '91 days'),
               (gen_random_uuid(), gen_random_uuid(), 'ci.gitlab', 'old-of-a-promotion', 'c', 'success', true,
                'triggered', 30, now() + interval '1 day', now() + interval '1 day', 'test', '%s', now() - interval '100 days', now() - interval '91 days'),
               (gen_random_uuid(), gen_random_uuid(), 'ci.gitlab', 'old-running', 'c', 'running', true, 'triggered',
                30, now() + interval '1 day', now() + interval '1 day', 'test', NULL, now() - interval '100 days', NULL),
               (gen_random_uuid(), gen_random_uuid(), 'ci.gitlab', 'new-failed', 'c', 'failed', true, 'triggered',
                30, now() + interval '1 day', now() + interval '1 day', 'test', NULL, now() - interval '100 days', now() - interval '89 days');
        """.formatted(promotion));
    // Releases, promotions and deployment jobs are never removed, however old.
    TestDatabases.execute(db, """
        UPDATE release SET created_at = now() - interval '400 days';
        UPDATE promotion SET created_at = now() - interval '400 days', completed_at = now() - interval '400 days';
        UPDATE deployment_job SET created_at = now() - interval '400 days', finished_at = now() - interval '400 days';
        """);

    double deletedBefore = deletedMetric("webhook_delivery");
    JsonObject pass = runPass();

    assertThat(pass.getMap()).containsEntry("skipped", false).containsEntry("webhook_delivery", 2504)
        .containsEntry("webhook_delivery_body", 1).containsEntry("event_delivery", 2)
        .containsEntry("status_report", 2).containsEntry("pipeline_run", 2);
    assertThat(TestDatabases.query(db, "SELECT delivery_key FROM webhook_delivery ORDER BY delivery_key"))
        .containsExactly("new-processed", "old-in-flight", "sha256:0123");
    assertThat(TestDatabases.query(db, "SELECT octet_length(body) || ' ' || headers::text FROM webhook_delivery "
        + "WHERE delivery_key = 'sha256:0123'")).containsExactly("0 {}");
    assertThat(TestDatabases.query(db, "SELECT event_type FROM event_delivery ORDER BY 1"))
        .containsExactly("new-delivered", "old-pending");
    assertThat(TestDatabases.query(db, "SELECT reporter FROM status_report ORDER BY 1"))
        .containsExactly("new-sent", "old-pending");
    assertThat(TestDatabases.query(db, "SELECT pipeline_id FROM pipeline_run ORDER BY 1"))
        .containsExactly("new-failed", "old-of-a-promotion", "old-running");
    assertThat(TestDatabases.query(db, "SELECT (SELECT count(*) FROM release) || ' ' || (SELECT count(*) FROM promotion)"
        + " || ' ' || (SELECT count(*) FROM deployment_job) || ' ' || (SELECT count(*) FROM release_component)"))
        .containsExactly("1 1 1 1");
    assertThat(gw.get("/api/v1/promotions/" + promotion, ADMIN).status()).isEqualTo(200);
    assertThat(gw.get("/api/v1/deployments/" + job, ADMIN).status()).isEqualTo(200);

    assertThat(deletedMetric("webhook_delivery") - deletedBefore).isEqualTo(2504.0);
    assertThat(runPass().getMap()).containsEntry("webhook_delivery", 0).containsEntry("webhook_delivery_body", 0);
  }

  @Test
  @DisplayName("a GHCR body past retention, sent again signed under a new X-GitHub-Delivery, is still a duplicate")
  void signedBodiesStayDuplicatesPastRetention() throws Exception {
    String ghcr = Webhooks.integration(gw, "registry.ghcr", "ghcr", "ghcr-webhook-secret-0123", new JsonObject());
    String body = Webhooks.fixture("ghcr/package-published-tagged.json");
    Resp first = sendSigned("/api/v1/webhooks/registry/" + ghcr, body);
    String id = first.data().getString("deliveryId");
    await().atMost(Duration.ofSeconds(10)).until(() -> !"received".equals(
        gw.get("/api/v1/webhook-deliveries/" + id, ADMIN).data().getString("status")));
    TestDatabases.execute(db, "UPDATE webhook_delivery SET received_at = now() - interval '31 days', "
        + "processed_at = now() - interval '31 days'");

    assertThat(runPass().getMap()).containsEntry("webhook_delivery", 0).containsEntry("webhook_delivery_body", 1);

    Resp replay = sendSigned("/api/v1/webhooks/registry/" + ghcr, body);
    assertThat(replay.status()).as(replay.body()).isEqualTo(202);
    assertThat(replay.data().getBoolean("duplicate")).isTrue();
    assertThat(replay.data().getString("deliveryId")).isEqualTo(id);

    Resp again = gw.post("/api/v1/webhook-deliveries/" + id + "/replay", ADMIN, "");
    assertThat(again.status()).as(again.body()).isEqualTo(409);
    assertThat(again.body()).contains("DELIVERY_BODY_REMOVED").contains("retention.deliveries");
    assertThat(TestDatabases.query(db, "SELECT status FROM webhook_delivery_state WHERE id = '" + id + "'"))
        .as("left as it was, not put back in the inbox").doesNotContain("received").hasSize(1);
  }

  private static Resp sendSigned(String path, String body) {
    return Webhooks.send(gw, path, body, Map.of("X-GitHub-Event", "package",
        "X-GitHub-Delivery", UUID.randomUUID().toString(),
        "X-Hub-Signature-256", Webhooks.githubSignature("ghcr-webhook-secret-0123", body)));
  }

  @Test
  @DisplayName("while another replica holds the retention lock, a pass deletes nothing; once released, it runs")
  void oneReplicaAtATime() throws Exception {
    TestDatabases.execute(db, """
        INSERT INTO webhook_delivery (id, source, integration_type, delivery_key, status, body, received_at, processed_at)
        VALUES (gen_random_uuid(), 'test', 'ci.gitlab', 'old', 'processed', convert_to('{}', 'UTF8'),
                now() - interval '31 days', now() - interval '31 days');
        """);
    try (Connection other = TestDatabases.connect(db); Statement st = other.createStatement()) {
      st.execute("SELECT pg_advisory_lock(" + Retention.LOCK_KEY + ")");
      assertThat(runPass().getMap()).containsEntry("skipped", true);
      assertThat(TestDatabases.query(db, "SELECT delivery_key FROM webhook_delivery")).containsExactly("old");
      st.execute("SELECT pg_advisory_unlock(" + Retention.LOCK_KEY + ")");
      assertThat(runPass().getMap()).containsEntry("skipped", false).containsEntry("webhook_delivery", 1);
    }
    // A pass lets go of the lock when it ends: another session can take it at once.
    try (Connection other = TestDatabases.connect(db); Statement st = other.createStatement();
        var rs = st.executeQuery("SELECT pg_try_advisory_lock(" + Retention.LOCK_KEY + ")")) {
      rs.next();
      assertThat(rs.getBoolean(1)).isTrue();
    }
  }

  @Test
  @DisplayName("the delivery list says how far back it reaches: meta.retention.keptFor and since")
  void listSaysHowFarBack() {
    Resp list = gw.get("/api/v1/webhook-deliveries", ADMIN);
    assertThat(list.status()).as(list.body()).isEqualTo(200);
    JsonObject retention = list.json().getJsonObject("meta").getJsonObject("retention");
    assertThat(retention.getString("keptFor")).isEqualTo("P30D");
    Instant since = Instant.parse(retention.getString("since"));
    assertThat(Duration.between(since, Instant.now())).isBetween(Duration.ofDays(30).minusMinutes(1),
        Duration.ofDays(30).plusMinutes(1));
  }

  /** {@code stella_retention_deleted_total{kind}} as /metrics has it. */
  private static double deletedMetric(String kind) {
    String prefix = "stella_retention_deleted_total{kind=\"" + kind + "\"} ";
    return gw.get("/metrics", null).body().lines().filter(l -> l.startsWith(prefix))
        .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length()))).findFirst().orElseThrow();
  }

  private static JsonObject runPass() throws Exception {
    return gw.app().vertx().eventBus().<JsonObject>request(Housekeeping.RUN_RETENTION, null)
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS).body();
  }
}
