package org.stellaops.orchestrator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.platform.Events;
import org.stellaops.orchestrator.support.TestDatabases;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;
import org.stellaops.orchestrator.support.Webhooks;

/** Webhook ingestion through the real HTTP endpoints, the inbox and its processor. */
class WebhookIngestionTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  private static final String SECRET = "s3cr3t-registry";
  private static final String HOST = "127.0.0.1:5000";
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();
  private static String registry;
  private static final Map<String, List<JsonObject>> published = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() {
    registry = Webhooks.integration(gw, "registry.distribution", "local-registry", SECRET, Webhooks.registryHosts(HOST));
    for (String address : List.of(Events.REGISTRY_IMAGE_PUSHED, Events.CI_BUILD_COMPLETED, Events.RELEASE_CREATED)) {
      gw.app().vertx().eventBus().<JsonObject>consumer(address,
          msg -> published.computeIfAbsent(address, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(msg.body()));
    }
  }

  private static String digest(char c) {
    return "sha256:" + String.valueOf(c).repeat(64);
  }

  private static Resp pushEvent(String eventId, String repository, String tag, String digest) {
    return Webhooks.send(gw, "/api/v1/webhooks/registry/" + registry,
        Webhooks.distributionPush(eventId, HOST, repository, tag, digest),
        Map.of("Content-Type", "application/vnd.docker.distribution.events.v1+json", "Authorization", "Bearer " + SECRET));
  }

  private static JsonArray versions(String componentId, String tag) {
    return gw.get("/api/v1/components/" + componentId + "/versions?tag=" + tag, ADMIN).json().getJsonArray("data");
  }

  private static JsonObject delivery(String id) {
    return gw.get("/api/v1/webhook-deliveries/" + id, ADMIN).data();
  }

  @Test
  @DisplayName("a distribution push is answered 202 after it is stored, then lands in the version map")
  void pushUpdatesVersionMap() {
    String component = gw.createComponent("demo-app", HOST + "/demo/app").getString("id");
    Resp r = pushEvent("evt-push-1", "demo/app", "v1.0.0", digest('1'));
    assertThat(r.status()).isEqualTo(202);
    assertThat(r.data().getBoolean("duplicate")).isFalse();
    String deliveryId = r.data().getString("deliveryId");

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(delivery(deliveryId).getString("status")).isEqualTo("processed"));
    JsonObject entry = versions(component, "v1.0.0").getJsonObject(0);
    assertThat(entry.getString("digest")).isEqualTo(digest('1'));
    assertThat(entry.getString("source")).isEqualTo("webhook");
    assertThat(entry.getString("semver")).isEqualTo("1.0.0");
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(published.get(Events.REGISTRY_IMAGE_PUSHED))
        .anySatisfy(e -> assertThat(e.getString("deliveryId")).isEqualTo(deliveryId)));
  }

  @Test
  @DisplayName("pushes arriving together, for several components and for repositories no component has, each land on their own component")
  void pushesTogetherLandOnTheirOwnComponents() throws Exception {
    List<String> components = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      components.add(gw.createComponent("batch-app-" + c, HOST + "/batch/app" + c).getString("id"));
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Resp>> sent = new ArrayList<>();
      for (int c = 0; c < 3; c++) {
        for (int t = 0; t < 3; t++) {
          int component = c;
          int tag = t;
          sent.add(pool.submit(() -> pushEvent("evt-batch-" + component + "-" + tag, "batch/app" + component,
              "v" + tag, digest((char) ('a' + component))))); // each component its own digest
        }
      }
      for (int u = 0; u < 4; u++) {
        int untracked = u;
        sent.add(pool.submit(() -> pushEvent("evt-batch-untracked-" + untracked, "batch/untracked" + untracked,
            "v1", digest('f'))));
      }
      List<String> deliveryIds = new ArrayList<>();
      for (Future<Resp> r : sent) {
        assertThat(r.get().status()).isEqualTo(202);
        deliveryIds.add(r.get().data().getString("deliveryId"));
      }
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> deliveryIds.forEach(id ->
          assertThat(delivery(id).getString("status")).isIn("processed", "ignored")));
      for (int c = 0; c < 3; c++) {
        for (int t = 0; t < 3; t++) {
          JsonArray entries = versions(components.get(c), "v" + t);
          assertThat(entries.size()).as("component %d tag v%d", c, t).isEqualTo(1);
          assertThat(entries.getJsonObject(0).getString("digest")).isEqualTo(digest((char) ('a' + c)));
        }
      }
      for (int u = 0; u < 4; u++) {
        JsonObject d = delivery(deliveryIds.get(9 + u));
        assertThat(d.getString("status")).isEqualTo("ignored");
        assertThat(d.getString("reason")).isEqualTo("no component has image repository " + HOST + "/batch/untracked" + u);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @DisplayName("when the repository as sent and its registryHost name are both components, the one as sent gets the push")
  void repositoryAsSentWinsOverRegistryHostName() {
    String internal = Webhooks.integration(gw, "registry.distribution", "renamed-registry", SECRET,
        Webhooks.registryHosts(HOST).put("registryHost", "registry.example.com"));
    String asSent = gw.createComponent("pref-as-sent", HOST + "/pref/app").getString("id");
    String renamed = gw.createComponent("pref-renamed", "registry.example.com/pref/app").getString("id");
    Resp r = Webhooks.send(gw, "/api/v1/webhooks/registry/" + internal,
        Webhooks.distributionPush("evt-pref-1", HOST, "pref/app", "v1", digest('9')),
        Map.of("Content-Type", "application/vnd.docker.distribution.events.v1+json", "Authorization", "Bearer " + SECRET));
    assertThat(r.status()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(10)).until(() -> "processed".equals(delivery(r.data().getString("deliveryId"))
        .getString("status")));
    assertThat(versions(asSent, "v1").size()).isEqualTo(1);
    assertThat(versions(renamed, "v1").size()).isZero();
  }

  @Test
  @DisplayName("a redelivered event is answered 202 duplicate:true with the first delivery's id and stored once")
  void duplicatesAreAcceptedOnce() throws Exception {
    Resp first = pushEvent("evt-dup-1", "demo/dup", "v1", digest('2'));
    Resp again = pushEvent("evt-dup-1", "demo/dup", "v1", digest('2'));
    assertThat(again.status()).isEqualTo(202);
    assertThat(again.data().getBoolean("duplicate")).isTrue();
    assertThat(again.data().getString("deliveryId")).isEqualTo(first.data().getString("deliveryId"));
    assertThat(TestDatabases.query(gw.dbUrl(),
        "SELECT count(*) FROM webhook_delivery WHERE delivery_key = 'evt-dup-1'")).containsExactly("1");
  }

  @Test
  @DisplayName("the same push sent concurrently, under one id and under many, makes one version entry and one release")
  void concurrentDuplicates() throws Exception {
    String component = gw.post("/api/v1/components", ADMIN, new JsonObject().put("name", "racer")
        .put("imageRepository", HOST + "/demo/racer")
        .put("autoRelease", new JsonObject().put("enabled", true).put("tagPattern", "^v"))).data().getString("id");
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<Future<Resp>> answers = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String eventId = i % 2 == 0 ? "evt-race" : "evt-race-" + i;
      answers.add(pool.submit(() -> pushEvent(eventId, "demo/racer", "v2.0.0", digest('3'))));
    }
    Set<String> statuses = new java.util.HashSet<>();
    Set<String> racerIds = new java.util.HashSet<>();
    int firstTimes = 0;
    for (int i = 0; i < answers.size(); i++) {
      Resp a = answers.get(i).get();
      statuses.add(String.valueOf(a.status()));
      if (i % 2 == 0) {
        // One answer stored it; all the others name that same row as a duplicate.
        racerIds.add(a.data().getString("deliveryId"));
        firstTimes += a.data().getBoolean("duplicate") ? 0 : 1;
      } else {
        // New deliveries that shared an insert with a duplicate are still stored as new.
        assertThat(a.data().getBoolean("duplicate")).as("unique event %d", i).isFalse();
      }
    }
    pool.shutdown();
    assertThat(statuses).containsExactly("202");
    assertThat(racerIds).hasSize(1);
    assertThat(firstTimes).isEqualTo(1);
    assertThat(TestDatabases.query(gw.dbUrl(), "SELECT count(*) FROM webhook_delivery WHERE delivery_key LIKE "
        + "'evt-race-%'")).containsExactly("20");
    assertThat(TestDatabases.query(gw.dbUrl(),
        "SELECT count(*) FROM webhook_delivery WHERE delivery_key = 'evt-race'")).containsExactly("1");
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(TestDatabases.query(gw.dbUrl(),
        "SELECT count(*) FROM webhook_delivery_state WHERE delivery_key LIKE 'evt-race%' AND status = 'received'"))
        .containsExactly("0"));
    assertThat(versions(component, "v2.0.0")).hasSize(1);
    assertThat(TestDatabases.query(gw.dbUrl(), "SELECT count(*) FROM version_history WHERE component_id = '"
        + component + "'")).containsExactly("1");
    JsonArray releases = gw.get("/api/v1/releases?componentId=" + component, ADMIN).json().getJsonArray("data");
    assertThat(releases).hasSize(1);
    assertThat(releases.getJsonObject(0).getString("name")).isEqualTo("racer-v2.0.0");
    assertThat(releases.getJsonObject(0).getString("createdBy")).isEqualTo("integration:local-registry");
  }

  @Test
  @DisplayName("auto-release follows the tag pattern and template; a moved tag gets a second, suffixed release")
  void autoRelease() {
    String component = gw.post("/api/v1/components", ADMIN, new JsonObject().put("name", "auto")
        .put("imageRepository", HOST + "/demo/auto")
        .put("autoRelease", new JsonObject().put("enabled", true).put("tagPattern", "^v\\d+\\.\\d+\\.\\d+$")
            .put("nameTemplate", "{component}-{version}"))).data().getString("id");
    pushEvent("evt-auto-1", "demo/auto", "latest", digest('4'));
    pushEvent("evt-auto-2", "demo/auto", "v3.1.0", digest('4'));
    pushEvent("evt-auto-3", "demo/auto", "v3.1.0", digest('5'));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      JsonArray releases = gw.get("/api/v1/releases?componentId=" + component, ADMIN).json().getJsonArray("data");
      assertThat(releases.stream().map(r -> ((JsonObject) r).getString("name")).toList())
          .containsExactlyInAnyOrder("auto-3.1.0", "auto-3.1.0-" + "5".repeat(12));
    });
    assertThat(versions(component, "latest")).hasSize(1);
  }

  @Test
  @DisplayName("a replayed delivery is processed again without a second release or history row")
  void replayIsIdempotent() throws Exception {
    String component = gw.post("/api/v1/components", ADMIN, new JsonObject().put("name", "replayed")
        .put("imageRepository", HOST + "/demo/replayed")
        .put("autoRelease", new JsonObject().put("enabled", true))).data().getString("id");
    String id = pushEvent("evt-replay", "demo/replayed", "v1.0.0", digest('6')).data().getString("deliveryId");
    await().atMost(Duration.ofSeconds(10)).until(() -> "processed".equals(delivery(id).getString("status")));

    Resp replay = gw.post("/api/v1/webhook-deliveries/" + id + "/replay", ADMIN, "");
    assertThat(replay.status()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(10)).until(() -> "processed".equals(delivery(id).getString("status"))
        && delivery(id).getInteger("attempts") == 1 && delivery(id).getString("processedAt") != null);
    assertThat(gw.get("/api/v1/releases?componentId=" + component, ADMIN).json().getJsonArray("data")).hasSize(1);
    assertThat(TestDatabases.query(gw.dbUrl(), "SELECT count(*) FROM version_history WHERE component_id = '"
        + component + "'")).containsExactly("1");
    assertThat(gw.post("/api/v1/webhook-deliveries/00000000-0000-0000-0000-000000000000/replay", ADMIN, "").status())
        .isEqualTo(404);
  }

  @Test
  @DisplayName("a registry delete marks the tag deleted: it leaves the map and tag resolution, a new push brings it back")
  void deleteMarksEntryDeleted() {
    String component = gw.createComponent("deleted-app", HOST + "/demo/deleted").getString("id");
    pushEvent("evt-del-push", "demo/deleted", "v1", digest('7'));
    await().atMost(Duration.ofSeconds(10)).until(() -> versions(component, "v1").size() == 1);
    String delete = new JsonObject().put("events", new JsonArray().add(new JsonObject().put("id", "evt-del")
        .put("action", "delete").put("target", new JsonObject().put("repository", "demo/deleted").put("tag", "v1"))
        .put("request", new JsonObject().put("host", HOST).put("method", "DELETE")))).encode();
    Resp r = Webhooks.send(gw, "/api/v1/webhooks/registry/" + registry, delete, Map.of("Authorization", "Bearer " + SECRET));
    await().atMost(Duration.ofSeconds(10)).until(() -> "processed".equals(delivery(r.data().getString("deliveryId"))
        .getString("status")));
    assertThat(versions(component, "v1")).isEmpty();
    Resp release = gw.post("/api/v1/releases", ADMIN, new JsonObject().put("name", "deleted-tag")
        .put("components", new JsonArray().add(new JsonObject().put("componentId", component).put("tag", "v1"))));
    assertThat(release.status()).isEqualTo(422);

    pushEvent("evt-del-push-2", "demo/deleted", "v1", digest('7'));
    await().atMost(Duration.ofSeconds(10)).until(() -> versions(component, "v1").size() == 1);
  }

  @Test
  @DisplayName("bad senders and bad bodies get 401, 404, 413, 415 and 400 and nothing is stored")
  void rejections() throws Exception {
    String path = "/api/v1/webhooks/registry/" + registry;
    String body = Webhooks.distributionPush("evt-bad", HOST, "demo/app", "v1", digest('8'));
    assertThat(Webhooks.send(gw, path, body, Map.of("Authorization", "Bearer wrong")).status()).isEqualTo(401);
    assertThat(Webhooks.send(gw, path, body, Map.of()).status()).isEqualTo(401);
    assertThat(Webhooks.send(gw, "/api/v1/webhooks/registry/5b0f9d2e-8a7c-4c1e-9d7a-3f2b1c0e9a8d", body,
        Map.of("Authorization", "Bearer " + SECRET)).status()).isEqualTo(404);
    assertThat(Webhooks.send(gw, "/api/v1/webhooks/registry/not-a-uuid", body, Map.of()).status()).isEqualTo(404);
    assertThat(Webhooks.send(gw, "/api/v1/webhooks/ci/" + registry, body,
        Map.of("Authorization", "Bearer " + SECRET)).status()).as("a registry integration on the CI endpoint").isEqualTo(404);
    Resp xml = Webhooks.send(gw, path, "<events/>", Map.of("Authorization", "Bearer " + SECRET,
        "Content-Type", "application/xml"));
    assertThat(xml.status()).isEqualTo(415);
    Resp broken = Webhooks.send(gw, path, "{\"events\": [", Map.of("Authorization", "Bearer " + SECRET));
    assertThat(broken.status()).isEqualTo(400);
    assertThat(broken.error().getString("code")).isEqualTo("MALFORMED_JSON");
    Resp huge = Webhooks.send(gw, path, "{\"events\":\"" + "x".repeat(1_200_000) + "\"}",
        Map.of("Authorization", "Bearer " + SECRET));
    assertThat(huge.status()).isEqualTo(413);
    assertThat(TestDatabases.query(gw.dbUrl(),
        "SELECT count(*) FROM webhook_delivery WHERE delivery_key = 'evt-bad' OR body::text LIKE '%<events/>%'"))
        .containsExactly("0");
    String metrics = gw.get("/metrics", null).body();
    assertThat(metrics).contains("stella_webhook_deliveries_total{integration_type=\"registry.distribution\",outcome=\"rejected_auth\"}");
    assertThat(metrics).contains("outcome=\"rejected_size\"");
  }

  @Test
  @DisplayName("the inbox lag gauge reports the age of the oldest unprocessed delivery, and drops when it is done")
  void inboxLagGauge() throws Exception {
    // A delivery received an hour ago and leased for an hour: the processor leaves it alone, so
    // it stays the oldest unprocessed one until the test finishes it.
    String id = java.util.UUID.randomUUID().toString();
    TestDatabases.execute(gw.dbUrl(), "INSERT INTO webhook_delivery (id, source, integration_id, integration_type, "
        + "delivery_key, status, headers, body, received_at, retry_at) VALUES ('" + id + "', '" + registry
        + "', '" + registry + "', 'registry.distribution', 'lag-" + id + "', 'received', '{}', '\\x7b7d'::bytea, "
        + "now() - interval '1 hour', now() + interval '1 hour')");
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> inboxLag() >= 3600);
    } finally {
      TestDatabases.execute(gw.dbUrl(), "UPDATE webhook_delivery SET status = 'ignored', processed_at = now() "
          + "WHERE id = '" + id + "'");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> inboxLag() < 60);
  }

  private static double inboxLag() {
    return gw.get("/metrics", null).body().lines().filter(l -> l.startsWith("stella_webhook_inbox_lag_seconds "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElse(-1);
  }

  @Test
  @DisplayName("a well-formed payload we do not act on is stored as ignored, with the reason")
  void unrecognisedIsIgnored() {
    Resp pull = Webhooks.send(gw, "/api/v1/webhooks/registry/" + registry, Webhooks.fixture("distribution/pull-skopeo-inspect.json"),
        Map.of("Authorization", "Bearer " + SECRET));
    assertThat(pull.status()).isEqualTo(202);
    assertThat(pull.data().getString("status")).isEqualTo("ignored");
    JsonObject stored = delivery(pull.data().getString("deliveryId"));
    assertThat(stored.getString("status")).isEqualTo("ignored");
    assertThat(stored.getString("reason")).containsIgnoringCase("pull");
    assertThat(stored.getString("processedAt")).as("finished as it was stored").isNotNull();

    Resp other = Webhooks.send(gw, "/api/v1/webhooks/registry/" + registry, "{\"hello\":\"world\"}",
        Map.of("Authorization", "Bearer " + SECRET));
    assertThat(other.status()).isEqualTo(202);
    assertThat(delivery(other.data().getString("deliveryId")).getString("reason")).isNotBlank();
  }

  @Test
  @DisplayName("integrations never show their credentials, store them encrypted, and take new ones by PATCH")
  void integrationCredentials() throws Exception {
    String id = Webhooks.integration(gw, "registry.harbor", "harbor-prod", "harbor-webhook-secret-123",
        Webhooks.registryHosts("harbor.example.com"));
    Resp read = gw.get("/api/v1/integrations/" + id, ADMIN);
    assertThat(read.body()).doesNotContain("harbor-webhook-secret-123");
    assertThat(read.data().getJsonArray("credentialsSet").getList()).containsExactly("webhookSecret");
    assertThat(TestDatabases.query(gw.dbUrl(), "SELECT encode(credentials, 'escape') FROM integration WHERE id = '" + id + "'")
        .get(0)).doesNotContain("harbor-webhook-secret-123");
    assertThat(gw.get("/api/v1/integrations", ADMIN).body()).doesNotContain("harbor-webhook-secret-123");

    Resp patched = gw.patch("/api/v1/integrations/" + id, ADMIN, new JsonObject()
        .put("credentials", new JsonObject().put("username", "robot$ci").put("password", "pw")));
    assertThat(patched.data().getJsonArray("credentialsSet").getList())
        .containsExactly("password", "username", "webhookSecret");
    assertThat(gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "registry.nexus").put("name", "x"))
        .error().getJsonArray("validationErrors").getJsonObject(0).getString("field")).isEqualTo("type");
    assertThat(gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "registry.harbor")
        .put("name", "harbor-prod").put("config", Webhooks.registryHosts("harbor.example.com"))).status()).isEqualTo(409);
    String viewer = gw.createServiceAccount(new JsonObject().put("name", "integration-viewer")
        .put("roles", new JsonArray().add("viewer"))).getString("token");
    assertThat(gw.post("/api/v1/integrations", viewer, new JsonObject().put("type", "ci.gitlab").put("name", "y"))
        .status()).isEqualTo(403);
    assertThat(gw.delete("/api/v1/integrations/" + id, ADMIN).status()).isEqualTo(204);
    assertThat(gw.get("/api/v1/integrations/" + id, ADMIN).status()).isEqualTo(404);
  }

  @Test
  @DisplayName("deliveries can be listed by integration, status and time")
  void listDeliveries() {
    pushEvent("evt-list-1", "demo/unknown-list", "v1", digest('9'));
    Resp r = gw.get("/api/v1/webhook-deliveries?integrationId=" + registry + "&limit=200", ADMIN);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getJsonArray("data").stream().map(d -> ((JsonObject) d).getString("senderDeliveryId")).toList())
        .contains("evt-list-1");
    assertThat(r.json().getJsonArray("data").getJsonObject(0).containsKey("body")).isFalse();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
        gw.get("/api/v1/webhook-deliveries?status=ignored&limit=200", ADMIN).json().getJsonArray("data").stream()
            .map(d -> ((JsonObject) d).getString("senderDeliveryId")).toList()).contains("evt-list-1"));
    assertThat(gw.get("/api/v1/webhook-deliveries?status=bogus&since=yesterday", ADMIN).status()).isEqualTo(400);
    assertThat(gw.get("/api/v1/webhook-deliveries?since=2999-01-01T00:00:00Z", ADMIN).json().getJsonArray("data")).isEmpty();
  }

  @Test
  @DisplayName("the delivery list pages newest first, and its cursor continues without repeats or gaps")
  void listPagesNewestFirst() {
    String paged = Webhooks.integration(gw, "registry.distribution", "paging-registry", SECRET,
        Webhooks.registryHosts(HOST));
    List<String> sent = new java.util.ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      Resp r = Webhooks.send(gw, "/api/v1/webhooks/registry/" + paged,
          Webhooks.distributionPush("evt-page-" + i, HOST, "demo/paged", "v" + i, digest('a')),
          Map.of("Content-Type", "application/vnd.docker.distribution.events.v1+json", "Authorization", "Bearer " + SECRET));
      assertThat(r.status()).isEqualTo(202);
      sent.add(r.data().getString("deliveryId"));
    }
    List<String> listed = new java.util.ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      Resp page = gw.get("/api/v1/webhook-deliveries?integrationId=" + paged + "&limit=2"
          + (cursor == null ? "" : "&cursor=" + cursor), ADMIN);
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.json().getJsonArray("data").size()).isLessThanOrEqualTo(2);
      page.json().getJsonArray("data").forEach(d -> listed.add(((JsonObject) d).getString("id")));
      cursor = page.json().getJsonObject("meta").getJsonObject("pagination").getString("nextCursor");
      pages++;
    } while (cursor != null && pages < 10);
    assertThat(pages).isEqualTo(3);
    List<String> newestFirst = new java.util.ArrayList<>(sent);
    java.util.Collections.reverse(newestFirst);
    assertThat(listed).containsExactlyElementsOf(newestFirst);
  }
}
