package org.stellaops.orchestrator.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.platform.AppConfig;
import org.stellaops.orchestrator.support.FakeGitLab;
import org.stellaops.orchestrator.support.RecordingServer;
import org.stellaops.orchestrator.support.TestDatabases;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;
import org.stellaops.orchestrator.support.Webhooks;

/**
 * Subscriber events and deployment status reports are written by the transaction of the change
 * they report. The outbox workers are switched off ({@code outbox.send: false}) where a test
 * reads the rows as the commit left them: nothing has claimed or sent them yet, so they are what
 * a replica killed right after the commit leaves behind. PostgreSQL stamps every row version
 * with the id of the transaction that wrote it ({@code xmin}); equal stamps mean one transaction.
 */
class TransactionalEventsTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  private static final String SECRET = "subscriber-secret-0123456789";
  private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

  @Test
  @DisplayName("a committed change has its subscriber events and status reports from its own transaction, "
      + "before anything is sent; a replica started later sends them with the ids they were queued with")
  void committedChangesCarryTheirEvents() throws Exception {
    RecordingServer subscriber = new RecordingServer(r -> new RecordingServer.Answer(204, ""));
    String dbUrl = TestDatabases.freshDatabase();
    // Both replicas share the database and the master key (the data dir holds it).
    AppConfig replica = TestGateway.baseConfig().withDbUrl(dbUrl).withAdminToken(ADMIN);
    try (TestGateway gw = TestGateway.start(replica.withOutbox(new AppConfig.Outbox(false)), dbUrl)) {
      assertThat(gw.post("/api/v1/event-subscriptions", ADMIN, new JsonObject().put("url", subscriber.url() + "/events")
          .put("events", new JsonArray().add("release.created").add("promotion.started").add("promotion.completed")
              .add("deployment.completed"))
          .put("secret", SECRET)).status()).isEqualTo(201);
      // A GitHub integration the release's repository belongs to, so its deployments are reported.
      assertThat(gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "scm.github").put("name", "github")
          .put("config", new JsonObject().put("apiUrl", subscriber.url()))
          .put("credentials", new JsonObject().put("token", "ghp_unused"))).status()).isEqualTo(201);
      String component = gw.createComponent("outboxed", "registry.example.com/outboxed").getString("id");
      Resp release = gw.post("/api/v1/releases", ADMIN, new JsonObject().put("name", "outboxed-1")
          .put("components", new JsonArray().add(new JsonObject().put("componentId", component)
              .put("digest", "sha256:" + "a".repeat(64))))
          .put("sourceRef", new JsonObject().put("type", "git").put("repository", "https://github.com/acme/outboxed")
              .put("commit", COMMIT)));
      assertThat(release.status()).as(release.body()).isEqualTo(201);
      String releaseId = release.data().getString("id");

      // Read as soon as the 201 arrives: the release's transaction has committed, nothing after it ran.
      assertThat(TestDatabases.query(dbUrl, "SELECT d.status || ' ' || d.attempts || ' ' || (d.xmin = r.xmin) "
          + "FROM event_delivery d JOIN release r ON r.id::text = d.payload->'data'->>'releaseId' "
          + "WHERE d.event_type = 'release.created'")).containsExactly("pending 0 true");

      // A promotion parked on an approval, then cancelled: its end, its job's end, their two
      // events and the "cancelled" status report are one transaction.
      Resp env = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", "staging").put("requiredApprovals", 1)
          .put("workflow", new JsonArray().add(new JsonObject().put("id", "ok").put("type", "approval"))));
      assertThat(env.status()).as(env.body()).isEqualTo(201);
      String promotion = gw.post("/api/v1/promotions", ADMIN, new JsonObject().put("releaseId", releaseId)
          .put("targetEnvironmentId", env.data().getString("id"))).data().getString("id");
      await().atMost(Duration.ofSeconds(10)).until(() -> "awaiting_approval".equals(
          gw.get("/api/v1/promotions/" + promotion, ADMIN).data().getString("status")));
      Resp cancelled = gw.post("/api/v1/promotions/" + promotion + "/cancel", ADMIN, new JsonObject());
      assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(200);

      // Every row the promotion's two transactions left, grouped by the transaction that wrote it.
      String p = "'" + promotion + "'";
      assertThat(TestDatabases.query(dbUrl, "SELECT string_agg(what, ',' ORDER BY what) FROM ("
          + " SELECT d.event_type AS what, d.xmin::text AS tx FROM event_delivery d"
          + "   WHERE d.payload->'data'->>'promotionId' = " + p
          + " UNION ALL SELECT 'report:' || s.phase, s.xmin::text FROM status_report s"
          + "   JOIN promotion x ON x.deployment_job_id = s.deployment_job_id WHERE x.id = " + p
          + " UNION ALL SELECT 'promotion:' || x.status, x.xmin::text FROM promotion x WHERE x.id = " + p
          + " UNION ALL SELECT 'job:' || j.status, j.xmin::text FROM deployment_job j"
          + "   JOIN promotion x ON x.deployment_job_id = j.id WHERE x.id = " + p
          + ") rows GROUP BY tx ORDER BY 1")).containsExactly(
              "deployment.completed,job:cancelled,promotion.completed,promotion:cancelled,report:cancelled",
              "promotion.started,report:start");
      assertThat(TestDatabases.query(dbUrl, "SELECT DISTINCT status || ' ' || attempts FROM event_delivery "
          + "UNION SELECT DISTINCT status || ' ' || attempts FROM status_report")).containsExactly("pending 0");
      assertThat(subscriber.requests()).as("no event and no status report sent while outbox.send is false").isEmpty();
    }

    // The replica that committed is gone; one that sends picks the queued events up, unchanged.
    List<String> queued = TestDatabases.query(dbUrl, "SELECT event_id::text FROM event_delivery ORDER BY id");
    try (subscriber;
        TestGateway next = TestGateway.start(replica, dbUrl)) {
      // The same server stands in for GitHub's API, whose status reports go elsewhere than /events.
      await().atMost(Duration.ofSeconds(15)).until(() -> events(subscriber).size() >= queued.size());
      assertThat(events(subscriber).stream().map(r -> r.json().getString("id")))
          .containsExactlyInAnyOrderElementsOf(queued);
    }
  }

  @Test
  @DisplayName("a change whose transaction rolls back at commit queues no event, and the next one that commits does")
  void rolledBackChangesQueueNothing() throws Exception {
    try (RecordingServer subscriber = new RecordingServer(r -> new RecordingServer.Answer(204, ""));
        TestGateway gw = TestGateway.start(c -> c.withOutbox(new AppConfig.Outbox(false)))) {
      assertThat(gw.post("/api/v1/event-subscriptions", ADMIN, new JsonObject().put("url", subscriber.url() + "/events")
          .put("events", new JsonArray().add("release.created")).put("secret", SECRET)).status()).isEqualTo(201);
      // A failure at COMMIT, after every statement of the release's transaction (its event
      // included) has run: a deferred constraint trigger that refuses one release name.
      TestDatabases.execute(gw.dbUrl(), """
          CREATE FUNCTION refuse_doomed() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF NEW.name = 'doomed' THEN RAISE EXCEPTION 'refused at commit'; END IF;
            RETURN NULL;
          END $$;
          CREATE CONSTRAINT TRIGGER refuse_doomed AFTER INSERT ON release DEFERRABLE INITIALLY DEFERRED
            FOR EACH ROW EXECUTE FUNCTION refuse_doomed();
          """);
      String component = gw.createComponent("fragile", "registry.example.com/fragile").getString("id");

      Resp doomed = gw.post("/api/v1/releases", ADMIN, release("doomed", component, 1));
      assertThat(doomed.status()).as(doomed.body()).isEqualTo(500);
      assertThat(TestDatabases.query(gw.dbUrl(), "SELECT count(*) FROM release WHERE name = 'doomed'"))
          .containsExactly("0");
      assertThat(TestDatabases.query(gw.dbUrl(), "SELECT count(*) FROM event_delivery "
          + "WHERE payload->'data'->>'name' = 'doomed'")).as("an event for a release that does not exist")
          .containsExactly("0");

      Resp kept = gw.post("/api/v1/releases", ADMIN, release("kept", component, 2));
      assertThat(kept.status()).as(kept.body()).isEqualTo(201);
      assertThat(TestDatabases.query(gw.dbUrl(), "SELECT payload->'data'->>'name' FROM event_delivery"))
          .containsExactly("kept");
    }
  }

  @Test
  @DisplayName("a pipeline run ended by cancellation, by a poll or by its deadline has its ci.run.completed "
      + "from the transaction that ended it")
  void runEndsCarryTheirEvents() throws Exception {
    try (FakeGitLab gitlab = new FakeGitLab();
        TestGateway gw = TestGateway.start(c -> c.withScheduler(new AppConfig.Scheduler(200, 500, 32))
            .withOutbox(new AppConfig.Outbox(false)))) {
      assertThat(gw.post("/api/v1/event-subscriptions", ADMIN, new JsonObject().put("url", "http://127.0.0.1:9/events")
          .put("events", new JsonArray().add("ci.run.completed")).put("secret", SECRET)).status()).isEqualTo(201);
      // The run to cancel is on an integration polled every 10 minutes, so no poll races the cancellation.
      String fast = gitlab(gw, gitlab, "gitlab", 1);
      String slow = gitlab(gw, gitlab, "gitlab-slow", 600);
      List<String> runs = new java.util.ArrayList<>();
      for (String vendorId : List.of("700001", "700002", "700003")) {
        gitlab.setStatus(vendorId, "running");
        Resp watched = gw.post("/api/v1/pipeline-runs/watch", ADMIN, new JsonObject()
            .put("integrationId", "700001".equals(vendorId) ? slow : fast)
            .put("pipelineId", "grp/app").put("runId", Long.parseLong(vendorId))
            .put("timeout", "700003".equals(vendorId) ? 1 : 600));
        assertThat(watched.status()).as(watched.body()).isEqualTo(201);
        runs.add(watched.data().getString("id"));
      }
      assertThat(gw.post("/api/v1/pipeline-runs/" + runs.get(0) + "/cancel", ADMIN, "").status()).isEqualTo(200);
      gitlab.setStatus("700002", "success");
      await().atMost(Duration.ofSeconds(15)).until(() -> TestDatabases.query(gw.dbUrl(),
          "SELECT count(*) FROM pipeline_run WHERE completed_at IS NULL").equals(List.of("0")));

      assertThat(TestDatabases.query(gw.dbUrl(), "SELECT r.vendor_run_id || ' ' || r.completed_by || ' ' || (d.xmin = r.xmin) "
          + "FROM pipeline_run r JOIN event_delivery d ON d.payload->'data'->>'pipelineRunId' = r.id::text ORDER BY 1"))
          .containsExactly("700001 api true", "700002 poll true", "700003 deadline true");
    }
  }

  @Test
  @DisplayName("a registry push has its registry.image.pushed from the transaction that applied it: the one that moved the inbox log past it")
  void processedDeliveriesCarryTheirEvents() throws Exception {
    try (TestGateway gw = TestGateway.start(c -> c.withOutbox(new AppConfig.Outbox(false)))) {
      assertThat(gw.post("/api/v1/event-subscriptions", ADMIN, new JsonObject().put("url", "http://127.0.0.1:9/events")
          .put("events", new JsonArray().add("registry.image.pushed")).put("secret", SECRET)).status()).isEqualTo(201);
      String hookSecret = "registry-hook-secret";
      String registry = Webhooks.integration(gw, "registry.distribution", "registry", hookSecret,
          Webhooks.registryHosts("registry.example.com"));
      gw.createComponent("pushed", "registry.example.com/pushed");
      Resp accepted = Webhooks.send(gw, "/api/v1/webhooks/registry/" + registry,
          Webhooks.distributionPush("push-1", "registry.example.com", "pushed", "v1", "sha256:" + "b".repeat(64)),
          Map.of("Content-Type", "application/vnd.docker.distribution.events.v1+json",
              "Authorization", "Bearer " + hookSecret));
      assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
      await().atMost(Duration.ofSeconds(10)).until(() -> TestDatabases.query(gw.dbUrl(),
          "SELECT status FROM webhook_delivery_state").equals(List.of("processed")));

      // The delivery's row is not written again (its outcome is the normal one); its partition's
      // position is, by the same transaction as the event.
      assertThat(TestDatabases.query(gw.dbUrl(), "SELECT d.payload->'data'->>'tag' || ' ' || (d.xmin = p.xmin) "
          + "FROM event_delivery d JOIN webhook_delivery w ON w.id::text = d.payload->'data'->>'deliveryId' "
          + "JOIN inbox_partition p ON p.part = w.part"))
          .containsExactly("v1 true");
    }
  }

  private static String gitlab(TestGateway gw, FakeGitLab gitlab, String name, int pollIntervalSeconds) {
    return gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "ci.gitlab").put("name", name)
        .put("config", new JsonObject().put("endpoint", gitlab.url()).put("pollIntervalSeconds", pollIntervalSeconds))
        .put("credentials", new JsonObject().put("token", FakeGitLab.TOKEN))).data().getString("id");
  }

  private static List<RecordingServer.Request> events(RecordingServer subscriber) {
    return subscriber.requests().stream().filter(r -> r.path().equals("/events")).toList();
  }

  private static JsonObject release(String name, String component, int digest) {
    return new JsonObject().put("name", name).put("components", new JsonArray().add(new JsonObject()
        .put("componentId", component).put("digest", "sha256:" + String.format("%064x", digest))));
  }
}
