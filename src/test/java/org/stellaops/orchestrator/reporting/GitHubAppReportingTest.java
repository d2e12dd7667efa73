package org.stellaops.orchestrator.reporting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.support.FakeGitHub;
import org.stellaops.orchestrator.support.RecordingServer;
import org.stellaops.orchestrator.support.TestGateway;

/**
 * Reporting to GitHub as a GitHub App: a signed App JWT is exchanged for an installation token, against a GitHub
 * stand-in that verifies the JWT as GitHub does.
 */
class GitHubAppReportingTest {

  private static final String ADMIN = TestGateway.ADMIN_TOKEN;

  @Test
  @DisplayName("a GitHub App integration signs an RS256 JWT, gets an installation token once, and reports with it")
  void appInstallationToken() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair keys = generator.generateKeyPair();
    // GitHub hands out PKCS#1 keys; Java encodes PKCS#8, whose last 26 header bytes wrap the PKCS#1 key.
    byte[] pkcs1 = Arrays.copyOfRange(keys.getPrivate().getEncoded(), 26, keys.getPrivate().getEncoded().length);
    String pem = "-----BEGIN RSA PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pkcs1)
        + "\n-----END RSA PRIVATE KEY-----\n";
    try (FakeGitHub github = new FakeGitHub().repo("acme/appsvc", "main").app("Iv1.stella", keys.getPublic(), 77);
        RecordingServer target = new RecordingServer(r -> new RecordingServer.Answer(200, "{}"));
        TestGateway gw = TestGateway.start()) {
      gw.post("/api/v1/integrations", ADMIN, new JsonObject().put("type", "scm.github").put("name", "github-app")
          .put("config", new JsonObject().put("apiUrl", github.url()).put("installationId", 77))
          .put("credentials", new JsonObject().put("appId", "Iv1.stella").put("privateKey", pem)));
      String component = gw.createComponent("appsvc", "registry.example.com/appsvc").getString("id");
      String release = gw.post("/api/v1/releases", ADMIN, new JsonObject().put("name", "appsvc-1")
          .put("components", new JsonArray().add(new JsonObject().put("componentId", component)
              .put("digest", "sha256:" + "a".repeat(64))))
          .put("sourceRef", new JsonObject().put("type", "git").put("repository", "https://github.com/acme/appsvc")
              .put("commit", "abcdef1234567"))).data().getString("id");
      String env = gw.post("/api/v1/environments", ADMIN, new JsonObject().put("name", "app-env").put("workflow",
          new JsonArray().add(new JsonObject().put("id", "d").put("type", "deploy")
              .put("config", new JsonObject().put("url", target.url()))))).data().getString("id");
      gw.post("/api/v1/promotions", ADMIN, new JsonObject().put("releaseId", release).put("targetEnvironmentId", env));

      // The stand-in accepts repository calls only with a token it issued for a JWT it verified.
      await().atMost(Duration.ofSeconds(15)).until(() -> github.deploymentStatuses().size() >= 2);
      assertThat(github.refusals()).isEmpty();
      assertThat(github.deploymentStatuses()).extracting(s -> s.getString("state"))
          .containsExactly("in_progress", "success");
      assertThat(github.requests()).filteredOn(r -> r.equals("POST /app/installations/77/access_tokens")).hasSize(1);
      assertThat(github.installationTokens()).hasSize(1);
    }
  }
}
