package org.stellaops.orchestrator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.support.RegistryHarness;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.Webhooks;

/**
 * A real CNCF distribution registry (Debian's docker-registry) notifying the real gateway, and
 * skopeo pushing an OCI image built without a Docker daemon.
 */
class RealRegistryTest {

  private static final String SECRET = "registry-notify-secret";
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();
  private static RegistryHarness registry;
  private static String integrationId;

  @BeforeAll
  static void start() {
    // The registry's port is known only once it runs, and it needs the webhook URL to start:
    // the integration names its host afterwards (request.host in its notifications).
    integrationId = Webhooks.integration(gw, "registry.distribution", "docker-registry", SECRET,
        Webhooks.registryHosts("registry.invalid"));
    registry = RegistryHarness.start(gw.baseUrl() + "/api/v1/webhooks/registry/" + integrationId,
        Map.of("Authorization", "Bearer " + SECRET));
    TestGateway.Resp named = gw.patch("/api/v1/integrations/" + integrationId, TestGateway.ADMIN_TOKEN,
        new JsonObject().put("config", Webhooks.registryHosts(registry.hostPort())));
    if (named.status() != 200) {
      throw new IllegalStateException("registryHosts not set: " + named);
    }
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  @DisplayName("skopeo pushes an image; the version map holds the digest skopeo inspect reports; a delete removes it")
  void pushedImageReachesVersionMap() {
    String component = gw.createComponent("demo-app", registry.hostPort() + "/demo/app").getString("id");
    RegistryHarness.OciImage image = registry.makeImage("v1.4.0");
    registry.push(image, "demo/app");
    String inspected = registry.inspectDigest("demo/app", "v1.4.0");
    assertThat(inspected).isEqualTo(image.manifestDigest());

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      JsonArray entries = gw.get("/api/v1/components/" + component + "/versions?tag=v1.4.0", TestGateway.ADMIN_TOKEN)
          .json().getJsonArray("data");
      assertThat(entries).hasSize(1);
      assertThat(entries.getJsonObject(0).getString("digest")).isEqualTo(inspected);
      assertThat(entries.getJsonObject(0).getString("source")).isEqualTo("webhook");
    });
    // skopeo inspect made the registry send a manifest pull event: stored, and ignored.
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
        gw.get("/api/v1/webhook-deliveries?integrationId=" + integrationId + "&status=ignored", TestGateway.ADMIN_TOKEN)
            .json().getJsonArray("data").stream().map(d -> ((JsonObject) d).getString("reason")).toList())
        .anySatisfy(reason -> assertThat(reason).containsIgnoringCase("pull")));

    registry.deleteManifest("demo/app", inspected);
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
        gw.get("/api/v1/components/" + component + "/versions?tag=v1.4.0", TestGateway.ADMIN_TOKEN)
            .json().getJsonArray("data")).isEmpty());
  }
}
