package org.stellaops.orchestrator.citrust;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.platform.AppConfig;
import org.stellaops.orchestrator.support.FakeOidcIssuer;
import org.stellaops.orchestrator.support.StubResolver;
import org.stellaops.orchestrator.support.TestDatabases;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;

/**
 * A CI issuer's discovery document and keys are fetched through the egress policy: here the
 * gateway allows no extra networks, and the issuer's name resolves (through a stub resolver, no
 * DNS) to the loopback address a local issuer listens on, which the policy denies.
 */
class CiTrustEgressTest {

  private static final StubResolver names = new StubResolver().map("localhost", "127.0.0.1");
  private static FakeOidcIssuer issuer;
  private static TestGateway gateway;

  @BeforeAll
  static void start() {
    issuer = new FakeOidcIssuer();
    String db = TestDatabases.freshDatabase();
    AppConfig config = TestGateway.baseConfig().withEgress(new AppConfig.Egress(List.of()))
        .withDbUrl(db).withAdminToken(TestGateway.ADMIN_TOKEN);
    gateway = TestGateway.start(config, db, names);
  }

  @AfterAll
  static void stop() {
    gateway.close();
    issuer.close();
  }

  @Test
  @DisplayName("an issuer resolving to a denied address is never contacted: its CI tokens get 503 ISSUER_UNAVAILABLE with Retry-After")
  void issuerFetchesObeyTheEgressPolicy() {
    String name = issuer.issuer().replace("127.0.0.1", "localhost");
    Resp created = gateway.post("/api/v1/ci-trust-policies", TestGateway.ADMIN_TOKEN, new JsonObject()
        .put("name", "denied-issuer").put("issuer", name).put("audience", "stella")
        .put("claims", new JsonObject().put("repository", "myorg/myapp"))
        .put("roles", new JsonArray().add("release-creator")));
    assertThat(created.status()).as(created.body()).isEqualTo(201);

    JsonObject claims = issuer.githubClaims("myorg/myapp", "0123456789abcdef0123456789abcdef01234567",
        "refs/heads/main", "stella").put("iss", name);
    for (int i = 0; i < 3; i++) {
      Resp r = gateway.get("/api/v1/components", issuer.mint(claims));
      assertThat(r.status()).as(r.body()).isEqualTo(503);
      assertThat(r.error().getString("code")).isEqualTo("ISSUER_UNAVAILABLE");
      assertThat(r.error().getString("message")).contains(name);
      assertThat(r.header("Retry-After")).isNotNull();
    }
    assertThat(names.lookups("localhost")).isEqualTo(1);
    assertThat(issuer.discoveryRequests()).isZero();
  }
}
