package org.stellaops.orchestrator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.stellaops.orchestrator.integration.IntegrationType;
import org.stellaops.orchestrator.integration.RegistryHosts;
import org.stellaops.orchestrator.platform.Events;
import org.stellaops.orchestrator.support.FakeRegistryAuth;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;
import org.stellaops.orchestrator.support.Webhooks;

/**
 * One fixture per supported sender format (shaped from the vendor docs), sent through the real
 * HTTP endpoint with the sender's real authentication, through the inbox to the version map or
 * the event bus. Senders that report no digest (Docker Hub, Quay) are resolved against a fake
 * registry that speaks the registry token protocol.
 */
class VendorFormatsTest {

  private static final String SECRET = "vendor-secret-42";
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();
  private static Vertx fakes;
  private static HttpServer fakeRegistry;
  private static final FakeRegistryAuth AUTH = new FakeRegistryAuth("registry.test", "robot", "pw");
  private static final List<JsonObject> builds = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    gw.app().vertx().eventBus().<JsonObject>consumer(Events.CI_BUILD_COMPLETED, m -> builds.add(m.body()));
    fakes = Vertx.vertx();
    // The registry and its token service on one port, as a self-hosted registry often runs them.
    var registryHandler = AUTH.registry(() -> "http://127.0.0.1:" + fakeRegistry.actualPort() + "/token",
        VendorFormatsTest::fakeDigest);
    var tokenHandler = AUTH.tokenService();
    fakeRegistry = fakes.createHttpServer().requestHandler(req -> {
      if (req.path().equals("/token")) {
        tokenHandler.handle(req);
      } else {
        registryHandler.handle(req);
      }
    }).listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    fakes.close();
  }

  /** The digest the fake registry reports for a manifest path: any stable sha256 will do. */
  static String fakeDigest(String path) {
    return "sha256:" + WebhookIngest.sha256Hex(path.getBytes());
  }

  static Stream<Arguments> registryPushes() {
    return Stream.of(
        Arguments.of("registry.distribution", "distribution/push-oci-manifest.json", "127.0.0.1:5000/demo/app", "v1",
            "sha256:88c7275ef3ef13f6eb8bf6a201c972557ab952d4d6ebe115ca80d40a1c9b64c3", "header"),
        Arguments.of("registry.harbor", "harbor/push-artifact.json", "harbor.example.com/library/app", "v1.4.2",
            "sha256:580256275c46cd372d0189a94cce48be68d6c54d5d71bd5aee035c3574697acb", "header"),
        Arguments.of("registry.acr", "acr/push.json", "myregistry.azurecr.io/hello-world", "v1",
            "sha256:6f3095ea2b3eeae3895d2f0bedabc7b8928f5317e4e9ec611e4214e0090d773c", "header"),
        Arguments.of("registry.ecr", "ecr/push-success.json",
            "123456789012.dkr.ecr.us-west-2.amazonaws.com/team/payments-api", "latest",
            "sha256:02915c173f5b5238c520514331165c9c1e1d2a5a6d088b612fd675a5f265a853", "header"),
        Arguments.of("registry.ghcr", "ghcr/package-published-tagged.json", "ghcr.io/octo-org/payments-api", "2.3.0",
            "sha256:f06bcb1bf6bb199c626be852bc35fd5c6a558a3079e718f4db8bed6e250592ae", "hmac"),
        Arguments.of("registry.gar", "gar/insert-tagged.json", "us-east1-docker.pkg.dev/my-project/my-repo/hello-world",
            "1.1", "sha256:b974ebb9a97901339d70cbd59a98baeb15228d9f39e326d41014aa938512c4e9", "query"),
        Arguments.of("registry.dockerhub", "dockerhub/push.json", "docker.io/svendowideit/testhook", "latest",
            fakeDigest("/v2/svendowideit/testhook/manifests/latest"), "query"),
        Arguments.of("registry.quay", "quay/repo-push.json", "quay.io/mynamespace/repository", "v2.0.1",
            fakeDigest("/v2/mynamespace/repository/manifests/v2.0.1"), "query"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("registryPushes")
  @DisplayName("each registry's push fixture, properly authenticated, lands in the version map; a bad secret is a 401")
  void registryPush(String type, String fixture, String repository, String tag, String digest, String auth) {
    String name = type.replace('.', '-');
    JsonObject config = new JsonObject();
    if (RegistryHosts.fixed(IntegrationType.of(type).orElseThrow()) == null) {
      config = Webhooks.registryHosts(repository.substring(0, repository.indexOf('/')));
    }
    if (type.equals("registry.dockerhub") || type.equals("registry.quay")) {
      config.put("registryUrl", "http://127.0.0.1:" + fakeRegistry.actualPort());
    }
    String id = Webhooks.integration(gw, type, name, SECRET, config);
    if (config.containsKey("registryUrl")) {
      gw.patch("/api/v1/integrations/" + id, TestGateway.ADMIN_TOKEN, new JsonObject()
          .put("credentials", new JsonObject().put("username", "robot").put("password", "pw")));
    }
    String component = gw.createComponent(name + "-app", repository).getString("id");
    String body = Webhooks.fixture(fixture);

    Resp forged = send(id, body, auth, "not-the-secret");
    assertThat(forged.status()).isEqualTo(401);
    Resp accepted = send(id, body, auth, SECRET);
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);

    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      JsonArray entries = gw.get("/api/v1/components/" + component + "/versions?tag=" + tag, TestGateway.ADMIN_TOKEN)
          .json().getJsonArray("data");
      assertThat(entries).hasSize(1);
      assertThat(entries.getJsonObject(0).getString("digest")).isEqualTo(digest);
    });
  }

  private static Resp send(String integrationId, String body, String auth, String secret) {
    String path = "/api/v1/webhooks/registry/" + integrationId;
    return switch (auth) {
      case "header" -> Webhooks.send(gw, path, body, Map.of("Authorization", "Bearer " + secret));
      case "hmac" -> Webhooks.send(gw, path, body, Map.of("X-GitHub-Event", "package",
          "X-GitHub-Delivery", java.util.UUID.randomUUID().toString(),
          "X-Hub-Signature-256", Webhooks.githubSignature(secret, body)));
      default -> Webhooks.send(gw, path + "?secret=" + secret, body, Map.of());
    };
  }

  @Test
  @DisplayName("Docker Hub digests are resolved with the registry token flow and the integration's credentials")
  void tokenFlowUsed() {
    int before = AUTH.tokenRequests().size();
    String id = Webhooks.integration(gw, "registry.dockerhub", "hub-token-flow", SECRET,
        new JsonObject().put("registryUrl", "http://127.0.0.1:" + fakeRegistry.actualPort()));
    gw.patch("/api/v1/integrations/" + id, TestGateway.ADMIN_TOKEN, new JsonObject()
        .put("credentials", new JsonObject().put("username", "robot").put("password", "pw")));
    String component = gw.createComponent("hub-flow", "docker.io/acme/flow").getString("id");
    String body = new JsonObject().put("callback_url", "https://registry.hub.docker.com/u/acme/flow/hook/x/")
        .put("push_data", new JsonObject().put("pushed_at", 1700000000).put("pusher", "acme").put("tag", "v7"))
        .put("repository", new JsonObject().put("repo_name", "acme/flow").put("namespace", "acme").put("name", "flow"))
        .encode();
    assertThat(Webhooks.send(gw, "/api/v1/webhooks/registry/" + id + "?secret=" + SECRET, body, Map.of()).status())
        .isEqualTo(202);
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(
        gw.get("/api/v1/components/" + component + "/versions?tag=v7", TestGateway.ADMIN_TOKEN).json()
            .getJsonArray("data").getJsonObject(0).getString("digest"))
        .isEqualTo(fakeDigest("/v2/acme/flow/manifests/v7")));
    assertThat(AUTH.tokenRequests().size()).isGreaterThan(before);
  }

  @Test
  @DisplayName("GitLab, GitHub Actions and Jenkins completion webhooks publish ci.build.completed")
  void ciFormats() {
    String gitlab = Webhooks.integration(gw, "ci.gitlab", "gitlab", SECRET, new JsonObject());
    String github = Webhooks.integration(gw, "ci.github", "github", SECRET, new JsonObject());
    String jenkins = Webhooks.integration(gw, "ci.jenkins", "jenkins", SECRET, new JsonObject());

    String gl = Webhooks.fixture("gitlab/pipeline-success.json");
    assertThat(Webhooks.send(gw, "/api/v1/webhooks/ci/" + gitlab, gl, Map.of("X-Gitlab-Event", "Pipeline Hook",
        "X-Gitlab-Token", "wrong")).status()).isEqualTo(401);
    assertThat(Webhooks.send(gw, "/api/v1/webhooks/ci/" + gitlab, gl, Map.of("X-Gitlab-Event", "Pipeline Hook",
        "X-Gitlab-Token", SECRET, "X-Gitlab-Event-UUID", "13792a34-cac6-4fda-95a8-c58e00a3954e")).status()).isEqualTo(202);

    String gh = Webhooks.fixture("github/workflow-run-completed-success.json");
    Map<String, String> ghHeaders = Map.of("X-GitHub-Event", "workflow_run", "X-GitHub-Delivery",
        "72d3162e-cc78-11e3-81ab-4c9367dc0958", "X-Hub-Signature-256", Webhooks.githubSignature(SECRET, gh));
    assertThat(Webhooks.send(gw, "/api/v1/webhooks/ci/" + github, gh + " ", ghHeaders).status())
        .as("the signature covers the exact bytes").isEqualTo(401);
    assertThat(Webhooks.send(gw, "/api/v1/webhooks/ci/" + github, gh, ghHeaders).status()).isEqualTo(202);

    String jk = Webhooks.fixture("jenkins/notification-completed-success.json");
    assertThat(Webhooks.send(gw, "/api/v1/webhooks/ci/" + jenkins, jk, Map.of("Authorization", "Bearer " + SECRET))
        .status()).isEqualTo(202);

    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(builds)
        .extracting(b -> b.getString("buildId") + ":" + b.getString("status"))
        .contains("31:success", "30433642:success", "build-image#18:success"));
    JsonObject fromGitlab = builds.stream().filter(b -> "31".equals(b.getString("buildId"))).findFirst().orElseThrow();
    assertThat(fromGitlab.getString("commit")).isEqualTo("bcbb5ec396a2c0f828686f14fac9b80b780504f2");
    assertThat(fromGitlab.getString("integrationId")).isEqualTo(gitlab);
  }

  @Test
  @DisplayName("the generic ci-status and build-complete bodies need ci-event:create and publish ci.build.completed")
  void genericCiEndpoints() {
    String creator = gw.createServiceAccount(new JsonObject().put("name", "release-only")
        .put("roles", new JsonArray().add("release-creator"))).getString("token");
    String ci = gw.createServiceAccount(new JsonObject().put("name", "ci-events").put("roles", new JsonArray()
        .add("release-creator")).put("permissions", new JsonArray()
        .add(new JsonObject().put("resource", "ci-event").put("action", "create")))).getString("token");
    String status = """
        {
            "buildId": "4711",
            "status": "success",
            "commit": "abc123def456"
        }
        """;
    assertThat(gw.post("/api/v1/webhooks/ci-status", creator, status).status()).isEqualTo(403);
    Resp accepted = gw.post("/api/v1/webhooks/ci-status", ci, status);
    assertThat(accepted.status()).isEqualTo(202);
    assertThat(gw.post("/api/v1/webhooks/ci-status", ci, status).data().getBoolean("duplicate")).isTrue();

    String buildComplete = """
        {
          "buildId": "12345",
          "status": "success",
          "commit": "abc123def456",
          "artifacts": [
            {
              "name": "myapp",
              "digest": "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
              "repository": "registry.example.com/myorg/myapp"
            }
          ],
          "testResults": {
            "passed": 150,
            "failed": 0,
            "skipped": 5
          }
        }
        """;
    assertThat(gw.post("/api/v1/ci-events/build-complete", ci, buildComplete).status()).isEqualTo(202);
    Resp invalid = gw.post("/api/v1/ci-events/build-complete", ci, "{\"status\": \"exploded\"}");
    assertThat(invalid.status()).isEqualTo(400);
    assertThat(invalid.error().getJsonArray("validationErrors").stream()
        .map(e -> ((JsonObject) e).getString("field")).toList()).containsExactlyInAnyOrder("buildId", "status");

    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      assertThat(builds).anySatisfy(b -> assertThat(b.getString("buildId")).isEqualTo("4711"));
      JsonObject withArtifacts = builds.stream().filter(b -> "12345".equals(b.getString("buildId"))).findFirst()
          .orElseThrow();
      assertThat(withArtifacts.getJsonArray("artifacts").getJsonObject(0).getString("repository"))
          .isEqualTo("registry.example.com/myorg/myapp");
    });
  }
}
