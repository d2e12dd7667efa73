package org.stellaops.orchestrator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.stellaops.orchestrator.support.FakeRegistryAuth;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.Webhooks;

/**
 * The registry password goes only to a token realm the integration vouches for. The realm is
 * named by the registry's 401 ({@code WWW-Authenticate: Bearer realm=...}, see
 * https://distribution.github.io/distribution/spec/auth/token/), so whoever answers for the
 * registry could point it anywhere. Here the fake registry listens on 127.0.0.1 and names a realm
 * on "localhost" (another host, the same loopback machine), whose token server records requests.
 */
class TokenRealmTest {

  private static final String SECRET = "realm-secret-42";
  private static final String BASIC = "Basic " + Base64.getEncoder().encodeToString("robot:pw".getBytes());
  @RegisterExtension
  static final TestGateway gw = TestGateway.perClass();
  private static Vertx fakes;
  private static HttpServer registry;
  private static HttpServer tokens;
  private static final FakeRegistryAuth AUTH = new FakeRegistryAuth("registry.test", "robot", "pw");

  @BeforeAll
  static void start() throws Exception {
    fakes = Vertx.vertx();
    tokens = fakes.createHttpServer().requestHandler(AUTH.tokenService())
        .listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    registry = fakes.createHttpServer().requestHandler(AUTH.registry(
            () -> "http://localhost:" + tokens.actualPort() + "/token", VendorFormatsTest::fakeDigest))
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    fakes.close();
  }

  private static String push(String integrationId, String tag) {
    String body = new JsonObject().put("callback_url", "https://registry.hub.docker.com/u/acme/realm/hook/x/")
        .put("push_data", new JsonObject().put("pushed_at", 1700000000).put("pusher", "acme").put("tag", tag))
        .put("repository", new JsonObject().put("repo_name", "acme/realm").put("namespace", "acme").put("name", "realm"))
        .encode();
    var r = Webhooks.send(gw, "/api/v1/webhooks/registry/" + integrationId + "?secret=" + SECRET, body, Map.of());
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    return r.data().getString("deliveryId");
  }

  private static JsonArray versions(String component, String tag) {
    return gw.get("/api/v1/components/" + component + "/versions?tag=" + tag, TestGateway.ADMIN_TOKEN).json()
        .getJsonArray("data");
  }

  @Test
  @DisplayName("a realm on a host the integration does not name gets no request and no password; naming it lets the flow work")
  void realmMustBeOnAVouchedHost() {
    String id = gw.post("/api/v1/integrations", TestGateway.ADMIN_TOKEN, new JsonObject()
        .put("type", "registry.dockerhub").put("name", "hub-realm")
        .put("config", new JsonObject().put("registryUrl", "http://127.0.0.1:" + registry.actualPort()))
        .put("credentials", new JsonObject().put("webhookSecret", SECRET).put("username", "robot")
            .put("password", "pw"))).data().getString("id");
    String component = gw.createComponent("hub-realm", "docker.io/acme/realm").getString("id");

    String delivery = push(id, "v1");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(gw.get("/api/v1/webhook-deliveries/"
        + delivery, TestGateway.ADMIN_TOKEN).data().getString("error"))
        .contains("token realm host localhost").contains("tokenRealmHosts"));
    assertThat(AUTH.tokenRequests()).isEmpty();
    assertThat(versions(component, "v1")).isEmpty();

    var named = gw.patch("/api/v1/integrations/" + id, TestGateway.ADMIN_TOKEN, new JsonObject()
        .put("config", new JsonObject().put("tokenRealmHosts", new JsonArray().add("localhost")))
        .put("credentials", new JsonObject().put("webhookSecret", SECRET).put("username", "robot")
            .put("password", "pw")));
    assertThat(named.status()).as(named.body()).isEqualTo(200);
    push(id, "v2");
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(versions(component, "v2")).hasSize(1));
    assertThat(AUTH.tokenRequests()).isNotEmpty()
        .allSatisfy(r -> assertThat(r).startsWith(BASIC + " | ").contains("service=registry.test")
            .contains("scope=repository%3Aacme%2Frealm%3Apull"));
  }

  @Test
  @DisplayName("tokenRealmHosts must be a list of host names")
  void tokenRealmHostsAreValidated() {
    var r = gw.post("/api/v1/integrations", TestGateway.ADMIN_TOKEN, new JsonObject()
        .put("type", "registry.quay").put("name", "quay-bad-realms")
        .put("config", new JsonObject().put("tokenRealmHosts", "auth.example.com")));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error().getJsonArray("validationErrors").getJsonObject(0).getString("field"))
        .isEqualTo("config.tokenRealmHosts");
  }

  @Test
  @DisplayName("a realm must be https (plain http only on loopback) and on the registry's host or a named one")
  void realmRule() {
    List<String> none = List.of();
    assertThat(RegistryClient.realmRefusal("https://registry.example.com/token", "https://registry.example.com", none))
        .isEmpty();
    assertThat(RegistryClient.realmRefusal("https://REGISTRY.example.com:8443/token", "https://registry.example.com",
        none)).isEmpty();
    assertThat(RegistryClient.realmRefusal("https://auth.example.com/token", "https://registry.example.com",
        List.of("auth.example.com"))).isEmpty();
    assertThat(RegistryClient.realmRefusal("http://127.0.0.1:5001/token", "http://127.0.0.1:5000", none)).isEmpty();
    assertThat(RegistryClient.realmRefusal("http://localhost:5001/token", "http://localhost:5000", none)).isEmpty();

    assertThat(RegistryClient.realmRefusal("http://registry.example.com/token", "https://registry.example.com", none))
        .hasValueSatisfying(m -> assertThat(m).contains("not https"));
    assertThat(RegistryClient.realmRefusal("http://auth.example.com/token", "https://registry.example.com",
        List.of("auth.example.com"))).hasValueSatisfying(m -> assertThat(m).contains("not https"));
    assertThat(RegistryClient.realmRefusal("https://collector.example.net/token", "https://registry.example.com",
        List.of("auth.example.com"))).hasValueSatisfying(m -> assertThat(m).contains("tokenRealmHosts"));
    assertThat(RegistryClient.realmRefusal("/token", "https://registry.example.com", none)).isPresent();
  }
}
