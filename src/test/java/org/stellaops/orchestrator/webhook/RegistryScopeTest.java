package org.stellaops.orchestrator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.support.TestDatabases;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;
import org.stellaops.orchestrator.support.Webhooks;

/**
 * What a registry integration's webhook secret lets its holder do: report pushes of its own
 * registry hosts with valid tags, nothing else; and what a captured GitHub-signed body is worth
 * when sent again under a new delivery id (nothing). Through the real endpoints and inbox.
 */
class RegistryScopeTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  private static final String SECRET = "scope-secret-0123";
  private static final String OWN = "registry.internal.example:5000";
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();
  private static String registry;

  @BeforeAll
  static void start() {
    registry = Webhooks.integration(gw, "registry.distribution", "own-registry", SECRET, Webhooks.registryHosts(OWN));
  }

  private static String digest(char c) {
    return "sha256:" + String.valueOf(c).repeat(64);
  }

  /** A distribution notification (distribution notifications/event.go), sent with the integration's bearer secret. */
  private static Resp push(String eventId, String host, String repository, String tag, String digest) {
    return Webhooks.send(gw, "/api/v1/webhooks/registry/" + registry,
        Webhooks.distributionPush(eventId, host, repository, tag, digest),
        Map.of("Content-Type", "application/vnd.docker.distribution.events.v1+json", "Authorization", "Bearer " + SECRET));
  }

  private static JsonObject delivery(String id) {
    return gw.get("/api/v1/webhook-deliveries/" + id, ADMIN).data();
  }

  private static JsonArray versions(String componentId) {
    return gw.get("/api/v1/components/" + componentId + "/versions", ADMIN).json().getJsonArray("data");
  }

  private static void replayAndAwaitIgnored(String deliveryId) {
    assertThat(gw.post("/api/v1/webhook-deliveries/" + deliveryId + "/replay", ADMIN, null).status()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(delivery(deliveryId).getString("status")).isEqualTo("ignored"));
  }

  @Test
  @DisplayName("a notification naming another registry host, with the right secret, is stored ignored with the reason and changes nothing, also when replayed")
  void foreignHostIgnored() {
    String victim = gw.post("/api/v1/components", ADMIN, new JsonObject().put("name", "victim")
        .put("imageRepository", "evil.example/payments/api")
        .put("autoRelease", new JsonObject().put("enabled", true))).data().getString("id");

    Resp r = push("evt-foreign-1", "evil.example", "payments/api", "v9.9.9", digest('e'));
    assertThat(r.status()).isEqualTo(202);
    assertThat(r.data().getString("status")).isEqualTo("ignored");
    String id = r.data().getString("deliveryId");
    JsonObject stored = delivery(id);
    assertThat(stored.getString("status")).isEqualTo("ignored");
    assertThat(stored.getString("reason")).isEqualTo("registry host evil.example is not one this integration "
        + "reports for (registryHosts: [" + OWN + "])");

    // The processor checks again: a replay of the stored delivery is ignored for the same reason.
    replayAndAwaitIgnored(id);
    assertThat(delivery(id).getString("reason")).contains("registry host evil.example is not one");
    assertThat(versions(victim)).isEmpty();
    assertThat(gw.get("/api/v1/releases?componentId=" + victim, ADMIN).json().getJsonArray("data")).isEmpty();
  }

  @Test
  @DisplayName("a notification for the integration's own host is applied, whatever the case of the host, but the same name on another port is foreign")
  void ownHostApplied() {
    String own = gw.createComponent("own-app", OWN + "/team/app").getString("id");
    Resp r = push("evt-own-1", "Registry.Internal.Example:5000", "team/app", "v1.0.0", digest('1'));
    assertThat(r.data().getString("status")).isEqualTo("received");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(delivery(r.data().getString("deliveryId")).getString("status")).isEqualTo("processed"));
    assertThat(versions(own).getJsonObject(0).getString("digest")).isEqualTo(digest('1'));

    String otherPort = gw.createComponent("own-app-5001", "registry.internal.example:5001/team/app").getString("id");
    Resp foreign = push("evt-own-2", "registry.internal.example:5001", "team/app", "v1.0.0", digest('2'));
    assertThat(foreign.data().getString("status")).isEqualTo("ignored");
    replayAndAwaitIgnored(foreign.data().getString("deliveryId"));
    assertThat(versions(otherPort)).isEmpty();
  }

  @Test
  @DisplayName("a webhook tag the API would refuse is ignored with the reason and never reaches the version map, also when replayed")
  void badTagIgnored() {
    String component = gw.createComponent("tagged-app", OWN + "/team/tagged").getString("id");
    String badTag = "-v1 ; rm";
    assertThat(gw.post("/api/v1/components/" + component + "/versions", ADMIN, new JsonObject().put("tag", badTag)
        .put("digest", digest('3'))).status()).as("the API refuses this tag").isEqualTo(400);

    for (String tag : new String[] {badTag, "x".repeat(129), ".hidden"}) {
      Resp r = push("evt-badtag-" + tag.length() + tag.charAt(0), OWN, "team/tagged", tag, digest('3'));
      assertThat(r.status()).isEqualTo(202);
      assertThat(r.data().getString("status")).isEqualTo("ignored");
      String id = r.data().getString("deliveryId");
      assertThat(delivery(id).getString("reason")).contains("is not valid: must be an image tag");
      replayAndAwaitIgnored(id);
    }
    assertThat(versions(component)).isEmpty();
  }

  @Test
  @DisplayName("a registry.distribution integration without config.registryHosts, or with a bad host, is a 400 naming the field")
  void registryHostsRequired() {
    JsonObject base = new JsonObject().put("type", "registry.distribution").put("name", "no-hosts")
        .put("credentials", new JsonObject().put("webhookSecret", SECRET));
    for (JsonObject config : new JsonObject[] {new JsonObject(), Webhooks.registryHosts(),
        new JsonObject().put("registryHosts", "registry.example.com")}) {
      Resp r = gw.post("/api/v1/integrations", ADMIN, base.copy().put("config", config));
      assertThat(r.status()).as(r.body()).isEqualTo(400);
      assertThat(r.error().getJsonArray("validationErrors").getJsonObject(0).getString("field"))
          .isEqualTo("config.registryHosts");
    }
    for (String bad : new String[] {"https://registry.example.com", "registry.example.com/path", "host:70000",
        "bad_host.example", "-lead.example"}) {
      Resp r = gw.post("/api/v1/integrations", ADMIN, base.copy().put("config", Webhooks.registryHosts(bad)));
      assertThat(r.status()).as(bad).isEqualTo(400);
      assertThat(r.error().getJsonArray("validationErrors").getJsonObject(0).getString("field"))
          .isEqualTo("config.registryHosts[0]");
    }
    Resp ok = gw.post("/api/v1/integrations", ADMIN, base.copy()
        .put("config", Webhooks.registryHosts("Registry.Example.COM.", "10.0.0.5:5000", "registry.example.com")));
    assertThat(ok.status()).as(ok.body()).isEqualTo(201);
    assertThat(ok.data().getJsonObject("config").getJsonArray("registryHosts").getList())
        .containsExactly("registry.example.com", "10.0.0.5:5000");

    Resp removed = gw.patch("/api/v1/integrations/" + ok.data().getString("id"), ADMIN,
        new JsonObject().put("config", new JsonObject().putNull("registryHosts")));
    assertThat(removed.status()).isEqualTo(400);
    assertThat(removed.error().getJsonArray("validationErrors").getJsonObject(0).getString("field"))
        .isEqualTo("config.registryHosts");
    Resp ci = gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "ci.gitlab").put("name", "gl-hosts")
        .put("config", Webhooks.registryHosts("gitlab.example.com")));
    assertThat(ci.status()).isEqualTo(400);
    assertThat(ci.error().getJsonArray("validationErrors").getJsonObject(0).getString("field"))
        .isEqualTo("config.registryHosts");
  }

  @Test
  @DisplayName("a GHCR integration reports on ghcr.io without being told, and cannot be pointed at another host")
  void ghcrIsFixed() {
    Resp ghcr = gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "registry.ghcr").put("name", "ghcr")
        .put("credentials", new JsonObject().put("webhookSecret", SECRET)));
    assertThat(ghcr.status()).isEqualTo(201);
    assertThat(ghcr.data().getJsonObject("config").getJsonArray("registryHosts").getList()).containsExactly("ghcr.io");
    Resp moved = gw.patch("/api/v1/integrations/" + ghcr.data().getString("id"), ADMIN,
        new JsonObject().put("config", Webhooks.registryHosts("evil.example")));
    assertThat(moved.status()).isEqualTo(400);
    assertThat(moved.error().getJsonArray("validationErrors").getJsonObject(0).getString("field"))
        .isEqualTo("config.registryHosts");
  }

  @Test
  @DisplayName("a GitHub workflow_run body sent again with a new X-GitHub-Delivery and a valid signature is a duplicate")
  void workflowRunReplayIsDuplicate() throws Exception {
    String github = Webhooks.integration(gw, "ci.github", "github-replay", SECRET, new JsonObject());
    // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries: the
    // signature covers the body only; X-GitHub-Delivery is not signed.
    String body = Webhooks.fixture("github/workflow-run-completed-success.json");
    Resp first = sendSigned("/api/v1/webhooks/ci/" + github, "workflow_run", body);
    Resp replay = sendSigned("/api/v1/webhooks/ci/" + github, "workflow_run", body);
    assertThat(first.status()).isEqualTo(202);
    assertThat(first.data().getBoolean("duplicate")).isFalse();
    assertThat(replay.status()).isEqualTo(202);
    assertThat(replay.data().getBoolean("duplicate")).isTrue();
    assertThat(replay.data().getString("deliveryId")).isEqualTo(first.data().getString("deliveryId"));
    assertThat(TestDatabases.query(gw.dbUrl(), "SELECT count(*) FROM webhook_delivery WHERE integration_id = '"
        + github + "'")).containsExactly("1");

    // Another body is another delivery, whatever its delivery id says.
    String other = Webhooks.fixture("github/workflow-run-in-progress.json");
    assertThat(sendSigned("/api/v1/webhooks/ci/" + github, "workflow_run", other).data().getBoolean("duplicate"))
        .isFalse();
  }

  @Test
  @DisplayName("a GHCR package body sent again with a new X-GitHub-Delivery and a valid signature is a duplicate and changes nothing")
  void ghcrReplayIsDuplicate() {
    String ghcr = Webhooks.integration(gw, "registry.ghcr", "ghcr-replay", SECRET, new JsonObject());
    String component = gw.createComponent("ghcr-app", "ghcr.io/octo-org/payments-api").getString("id");
    String body = Webhooks.fixture("ghcr/package-published-tagged.json");
    Resp first = sendSigned("/api/v1/webhooks/registry/" + ghcr, "package", body);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(delivery(first.data().getString("deliveryId")).getString("status")).isEqualTo("processed"));

    Resp replay = sendSigned("/api/v1/webhooks/registry/" + ghcr, "package", body);
    assertThat(replay.status()).isEqualTo(202);
    assertThat(replay.data().getBoolean("duplicate")).isTrue();
    assertThat(replay.data().getString("deliveryId")).isEqualTo(first.data().getString("deliveryId"));
    assertThat(versions(component)).hasSize(1);
  }

  private static Resp sendSigned(String path, String event, String body) {
    return Webhooks.send(gw, path, body, Map.of("X-GitHub-Event", event,
        "X-GitHub-Delivery", UUID.randomUUID().toString(),
        "X-Hub-Signature-256", Webhooks.githubSignature(SECRET, body)));
  }

  @Test
  @DisplayName("a delivery's raw body is shown to integration:update holders only; integration:read gets the rest")
  void rawBodyNeedsIntegrationUpdate() {
    String id = push("evt-body-1", OWN, "team/body", "v1", digest('4')).data().getString("deliveryId");
    String reader = gw.createServiceAccount(new JsonObject().put("name", "delivery-reader").put("permissions",
        new JsonArray().add(new JsonObject().put("resource", "integration").put("action", "read"))))
        .getString("token");
    String updater = gw.createServiceAccount(new JsonObject().put("name", "delivery-updater").put("permissions",
        new JsonArray().add(new JsonObject().put("resource", "integration").put("action", "read"))
            .add(new JsonObject().put("resource", "integration").put("action", "update"))))
        .getString("token");

    Resp asReader = gw.get("/api/v1/webhook-deliveries/" + id, reader);
    assertThat(asReader.status()).isEqualTo(200);
    assertThat(asReader.data().containsKey("body")).isFalse();
    assertThat(asReader.body()).doesNotContain("skopeo");
    assertThat(asReader.data().getString("status")).isNotBlank();
    assertThat(asReader.data().getJsonObject("headers").getString("content-type"))
        .isEqualTo("application/vnd.docker.distribution.events.v1+json");

    Resp asUpdater = gw.get("/api/v1/webhook-deliveries/" + id, updater);
    assertThat(new JsonObject(asUpdater.data().getString("body")).getJsonArray("events").getJsonObject(0)
        .getString("id")).isEqualTo("evt-body-1");
  }
}
