package org.stellaops.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.platform.Events;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;

/**
 * The requests a CI pipeline sends (service account set-up, release creation from GitLab,
 * GitHub Actions and Jenkins jobs, with the CI variables filled in as each CI system would),
 * written out in full and sent to the real gateway: the documented request and answer shapes.
 */
@ExtendWith(VertxExtension.class)
class CiExamplesContractTest {

  private static final String DIGEST = "sha256:" + "a1b2c3d4e5f6".repeat(5) + "0123";

  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();
  private static String componentId;
  private static String ciToken;

  @BeforeAll
  static void start() {
    componentId = gw.createComponent("myapp", "registry.example.com/myorg/myapp").getString("id");
    // A CI service account with roles and explicit permissions, as documented in the README.
    Resp created = gw.post("/api/v1/service-accounts", TestGateway.ADMIN_TOKEN, """
        {
          "name": "ci-pipeline",
          "description": "Service account for CI/CD integration",
          "roles": ["release-creator"],
          "permissions": [
            { "resource": "release", "action": "create" },
            { "resource": "component", "action": "read" },
            { "resource": "version-map", "action": "read" }
          ],
          "expiresIn": "365d"
        }
        """);
    assertThat(created.status()).isEqualTo(201);
    ciToken = created.data().getString("token");
  }

  @Test
  @DisplayName("the service-account request answers {success, data:{id, name, token, expiresAt}} with a stella_sa_ token expiring in 365 days")
  void serviceAccountResponseHasTheDocumentedShape() {
    Resp r = gw.post("/api/v1/service-accounts", TestGateway.ADMIN_TOKEN,
        new JsonObject().put("name", "ci-shape").put("roles", new io.vertx.core.json.JsonArray().add("release-creator"))
            .put("expiresIn", "365d"));
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().getBoolean("success")).isTrue();
    JsonObject data = r.data();
    assertThat(data.fieldNames()).containsExactlyInAnyOrder("id", "name", "token", "expiresAt");
    assertThat(data.getString("name")).isEqualTo("ci-shape");
    assertThat(data.getString("token")).matches("stella_sa_[A-Za-z0-9_-]{32,}");
    Instant expiresAt = Instant.parse(data.getString("expiresAt"));
    assertThat(expiresAt).isBetween(Instant.now().plus(364, ChronoUnit.DAYS), Instant.now().plus(366, ChronoUnit.DAYS));
  }

  @Test
  @DisplayName("the GitLab CI job's curl body creates a release with the CI token")
  void gitlabCurlBodyCreatesRelease() {
    String body = """
        {
          "name": "$COMPONENT_NAME-$CI_COMMIT_TAG",
          "components": [{
            "componentId": "$STELLA_COMPONENT_ID",
            "digest": "$DIGEST"
          }],
          "sourceRef": {
            "type": "git",
            "repository": "$CI_PROJECT_URL",
            "commit": "$CI_COMMIT_SHA",
            "tag": "$CI_COMMIT_TAG"
          }
        }""";
    body = fill(body, Map.of(
        "$COMPONENT_NAME", "myapp",
        "$CI_COMMIT_TAG", "v1.2.0",
        "$STELLA_COMPONENT_ID", componentId,
        "$DIGEST", DIGEST,
        "$CI_PROJECT_URL", "https://gitlab.example.com/myorg/myapp",
        "$CI_COMMIT_SHA", "0123456789abcdef0123456789abcdef01234567"));
    Resp r = gw.post("/api/v1/releases", ciToken, body);

    assertThat(r.status()).as(r.body()).isEqualTo(201);
    JsonObject release = r.data();
    assertThat(release.getString("name")).isEqualTo("myapp-v1.2.0");
    assertThat(release.getString("createdBy")).isEqualTo("service-account:ci-pipeline");
    JsonObject pinned = release.getJsonArray("components").getJsonObject(0);
    assertThat(pinned.getString("componentId")).isEqualTo(componentId);
    assertThat(pinned.getString("digest")).isEqualTo(DIGEST);
    assertThat(pinned.getString("imageRef")).isEqualTo("registry.example.com/myorg/myapp@" + DIGEST);
    assertThat(release.getJsonObject("sourceRef").getString("tag")).isEqualTo("v1.2.0");
  }

  @Test
  @DisplayName("the Jenkinsfile's httpRequest body (name with a slash) creates a release readable by name")
  void jenkinsHttpRequestBodyCreatesRelease() {
    String body = """
                        {
                            "name": "${IMAGE_NAME}-${env.TAG_NAME}",
                            "components": [{
                                "componentId": "${env.STELLA_COMPONENT_ID}",
                                "digest": "${digest}"
                            }],
                            "sourceRef": {
                                "type": "git",
                                "repository": "${env.GIT_URL}",
                                "commit": "${env.GIT_COMMIT}",
                                "tag": "${env.TAG_NAME}"
                            }
                        }
                        """;
    body = fill(body, Map.of(
        "${IMAGE_NAME}", "myorg/myapp",
        "${env.TAG_NAME}", "v2.0.0",
        "${env.STELLA_COMPONENT_ID}", componentId,
        "${digest}", DIGEST,
        "${env.GIT_URL}", "https://github.com/myorg/myapp.git",
        "${env.GIT_COMMIT}", "89abcdef0123456789abcdef0123456789abcdef"));
    Resp r = gw.post("/api/v1/releases", ciToken, body);
    assertThat(r.status()).as(r.body()).isEqualTo(201);

    Resp byName = gw.get("/api/v1/releases/by-name/myorg/myapp-v2.0.0", TestGateway.ADMIN_TOKEN);
    assertThat(byName.status()).as(byName.body()).isEqualTo(200);
    assertThat(byName.data().getString("id")).isEqualTo(r.data().getString("id"));
    Resp encoded = gw.get("/api/v1/releases/by-name/myorg%2Fmyapp-v2.0.0", TestGateway.ADMIN_TOKEN);
    assertThat(encoded.data().getString("id")).isEqualTo(r.data().getString("id"));
  }

  @Test
  @DisplayName("the 'API for CI Systems' example body with branch and metadata creates a release that keeps them")
  void apiSectionBodyCreatesRelease() {
    String body = """
        {
          "name": "myapp-v1.2.1",
          "components": [
            {
              "componentId": "%s",
              "digest": "%s"
            }
          ],
          "sourceRef": {
            "type": "git",
            "repository": "https://github.com/myorg/myapp",
            "commit": "abc123def456",
            "tag": "v1.2.1",
            "branch": "main"
          },
          "metadata": {
            "buildId": "12345",
            "buildUrl": "https://ci.example.com/builds/12345",
            "triggeredBy": "ci-pipeline"
          }
        }
        """.formatted(componentId, DIGEST);
    Resp r = gw.post("/api/v1/releases", ciToken, body);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    Resp read = gw.get("/api/v1/releases/" + r.data().getString("id"), TestGateway.ADMIN_TOKEN);
    assertThat(read.data().getJsonObject("metadata").getString("buildUrl")).isEqualTo("https://ci.example.com/builds/12345");
    assertThat(read.data().getJsonObject("sourceRef").getString("branch")).isEqualTo("main");
    assertThat(read.data().getJsonObject("sourceRef").getString("commit")).isEqualTo("abc123def456");
  }

  @Test
  @DisplayName("the CI token cannot create service accounts: 403 naming service-account:create")
  void ciTokenCannotCreateServiceAccounts() {
    Resp r = gw.post("/api/v1/service-accounts", ciToken,
        new JsonObject().put("name", "escalation").put("roles", new io.vertx.core.json.JsonArray().add("admin")));
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.json().getBoolean("success")).isFalse();
    assertThat(r.error().getString("code")).isEqualTo("FORBIDDEN");
    assertThat(r.error().getString("message")).contains("service-account:create");
    assertThat(r.error().getJsonObject("details").getString("requiredPermission")).isEqualTo("service-account:create");
  }

  @Test
  @DisplayName("creating a release publishes release.created on the event bus with the release id")
  void releaseCreatedIsPublished(VertxTestContext test) throws Exception {
    Checkpoint published = test.checkpoint();
    String name = "myapp-event-" + System.nanoTime();
    gw.app().vertx().eventBus().<JsonObject>consumer(Events.RELEASE_CREATED, msg -> {
      if (name.equals(msg.body().getString("name"))) {
        test.verify(() -> assertThat(msg.body().getString("releaseId")).isNotBlank());
        published.flag();
      }
    }).completion().toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    // The request goes from the test thread: blocking an event loop of the gateway would stall it.
    Resp r = gw.post("/api/v1/releases", ciToken, new JsonObject().put("name", name)
        .put("components", new io.vertx.core.json.JsonArray().add(
            new JsonObject().put("componentId", componentId).put("digest", DIGEST))));
    assertThat(r.status()).isEqualTo(201);
  }

  private static String fill(String template, Map<String, String> vars) {
    String out = template;
    // Longest names first so $CI_COMMIT_TAG is not eaten by a shorter prefix.
    for (String key : vars.keySet().stream().sorted((a, b) -> b.length() - a.length()).toList()) {
      out = out.replace(key, vars.get(key));
    }
    return out;
  }
}
