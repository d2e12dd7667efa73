package org.stellaops.orchestrator.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;

/**
 * Changing where an integration's credentials are sent requires sending the credentials again:
 * otherwise anyone allowed to edit integrations, but never to read their secrets, could point
 * the endpoint at a server of their own and collect the token on the next call.
 */
class CredentialDestinationTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();

  private static String create(String type, String name, JsonObject config, JsonObject credentials) {
    Resp r = gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", type).put("name", name)
        .put("config", config).put("credentials", credentials));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.data().getString("id");
  }

  private static Resp patch(String id, JsonObject body) {
    return gw.patch("/api/v1/integrations/" + id, ADMIN, body);
  }

  private static void assertRefused(Resp r) {
    assertThat(r.status()).as(r.body()).isEqualTo(422);
    assertThat(r.error().getString("code")).isEqualTo("CREDENTIALS_REQUIRED");
    assertThat(r.error().getJsonArray("validationErrors").getJsonObject(0).getString("field")).isEqualTo("credentials");
  }

  @Test
  @DisplayName("moving a CI endpoint to another host without the credentials is a 422 naming credentials; nothing changes")
  void endpointMoveNeedsCredentials() {
    String id = create("ci.gitlab", "gitlab-move", new JsonObject().put("endpoint", "https://gitlab.example.com"),
        new JsonObject().put("token", "glpat-original").put("webhookSecret", "hook-secret"));

    assertRefused(patch(id, new JsonObject().put("config", new JsonObject()
        .put("endpoint", "https://collector.example.net"))));
    // Re-sending only some of the stored credentials still leaves others to travel to the new host.
    assertRefused(patch(id, new JsonObject().put("config", new JsonObject()
        .put("endpoint", "https://collector.example.net"))
        .put("credentials", new JsonObject().put("webhookSecret", "new-hook-secret"))));
    // Removing the endpoint moves it to the vendor's default host.
    assertRefused(patch(id, new JsonObject().put("config", new JsonObject().putNull("endpoint"))));
    assertThat(gw.get("/api/v1/integrations/" + id, ADMIN).data().getJsonObject("config").getString("endpoint"))
        .isEqualTo("https://gitlab.example.com");

    Resp moved = patch(id, new JsonObject().put("config", new JsonObject()
        .put("endpoint", "https://gitlab.internal.example"))
        .put("credentials", new JsonObject().put("token", "glpat-new").put("webhookSecret", "new-hook-secret")));
    assertThat(moved.status()).as(moved.body()).isEqualTo(200);
    assertThat(moved.data().getJsonObject("config").getString("endpoint")).isEqualTo("https://gitlab.internal.example");
  }

  @Test
  @DisplayName("the same host (another path, other letter case, the scheme's default port spelled out) needs no credentials")
  void sameHostNeedsNoCredentials() {
    String id = create("ci.jenkins", "jenkins-same", new JsonObject().put("endpoint", "https://jenkins.example.com"),
        new JsonObject().put("username", "robot").put("apiToken", "jenkins-token"));
    for (String same : new String[] {"https://jenkins.example.com/ci/", "https://JENKINS.example.com:443"}) {
      Resp r = patch(id, new JsonObject().put("config", new JsonObject().put("endpoint", same)));
      assertThat(r.status()).as(r.body()).isEqualTo(200);
    }
    Resp otherPort = patch(id, new JsonObject().put("config", new JsonObject()
        .put("endpoint", "https://jenkins.example.com:8443")));
    assertRefused(otherPort);
  }

  @Test
  @DisplayName("apiUrl, webUrl, registryUrl and tokenRealmHosts are guarded the same way")
  void otherCredentialUrls() {
    String github = create("scm.github", "github-api", new JsonObject().put("apiUrl", "https://ghe.example.com/api/v3"),
        new JsonObject().put("token", "ghp_secret"));
    assertRefused(patch(github, new JsonObject().put("config", new JsonObject().put("apiUrl", "https://evil.example"))));

    String gitlab = create("scm.gitlab", "gitlab-web", new JsonObject().put("webUrl", "https://gitlab.example.com"),
        new JsonObject().put("token", "glpat-secret"));
    assertRefused(patch(gitlab, new JsonObject().put("config", new JsonObject().put("webUrl", "https://evil.example"))));

    String hub = create("registry.dockerhub", "hub-mirror", new JsonObject()
        .put("registryUrl", "https://mirror.example.com"),
        new JsonObject().put("webhookSecret", "hub-secret").put("username", "robot").put("password", "pw"));
    assertRefused(patch(hub, new JsonObject().put("config", new JsonObject()
        .put("registryUrl", "https://evil.example"))));
    assertRefused(patch(hub, new JsonObject().put("config", new JsonObject()
        .put("tokenRealmHosts", new JsonArray().add("evil.example")))));
    Resp withCredentials = patch(hub, new JsonObject().put("config", new JsonObject()
        .put("tokenRealmHosts", new JsonArray().add("auth.example.com")))
        .put("credentials", new JsonObject().put("webhookSecret", "hub-secret").put("username", "robot")
            .put("password", "pw")));
    assertThat(withCredentials.status()).as(withCredentials.body()).isEqualTo(200);
  }

  @Test
  @DisplayName("without registryUrl, registryHosts and registryHost say where the registry password goes: guarded too")
  void registryHostsWithoutRegistryUrl() {
    JsonObject credentials = new JsonObject().put("webhookSecret", "harbor-secret").put("username", "robot")
        .put("password", "pw");
    String harbor = create("registry.harbor", "harbor-hosts", new JsonObject()
        .put("registryHosts", new JsonArray().add("harbor.example.com")), credentials);
    assertRefused(patch(harbor, new JsonObject().put("config", new JsonObject()
        .put("registryHosts", new JsonArray().add("harbor.example.com").add("evil.example")))));
    assertRefused(patch(harbor, new JsonObject().put("config", new JsonObject().put("registryHost", "evil.example"))));
    Resp sameHosts = patch(harbor, new JsonObject().put("config", new JsonObject()
        .put("registryHosts", new JsonArray().add("HARBOR.example.com"))));
    assertThat(sameHosts.status()).as(sameHosts.body()).isEqualTo(200);
    Resp resent = patch(harbor, new JsonObject().put("config", new JsonObject()
        .put("registryHosts", new JsonArray().add("harbor.example.com").add("harbor2.example.com")))
        .put("credentials", credentials));
    assertThat(resent.status()).as(resent.body()).isEqualTo(200);

    // With registryUrl set the password goes there whatever the events name.
    String pinned = create("registry.harbor", "harbor-pinned", new JsonObject()
        .put("registryHosts", new JsonArray().add("harbor.example.com"))
        .put("registryUrl", "https://harbor.example.com"), credentials);
    Resp more = patch(pinned, new JsonObject().put("config", new JsonObject()
        .put("registryHosts", new JsonArray().add("harbor.example.com").add("harbor-dr.example.com"))));
    assertThat(more.status()).as(more.body()).isEqualTo(200);
  }

  @Test
  @DisplayName("other config changes, and integrations without stored credentials, are not affected")
  void unrelatedChanges() {
    String id = create("ci.gitlab", "gitlab-poll", new JsonObject().put("endpoint", "https://gitlab.example.com"),
        new JsonObject().put("token", "glpat-x"));
    Resp r = patch(id, new JsonObject().put("config", new JsonObject().put("pollIntervalSeconds", 30)));
    assertThat(r.status()).as(r.body()).isEqualTo(200);

    Resp bare = gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "scm.gitlab").put("name", "bare")
        .put("config", new JsonObject().put("webUrl", "https://gitlab.example.com")));
    Resp moved = patch(bare.data().getString("id"), new JsonObject().put("config", new JsonObject()
        .put("webUrl", "https://gitlab.other.example")));
    assertThat(moved.status()).as(moved.body()).isEqualTo(200);
  }
}
