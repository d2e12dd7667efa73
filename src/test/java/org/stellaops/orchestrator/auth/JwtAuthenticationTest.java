package org.stellaops.orchestrator.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.stellaops.orchestrator.platform.AppConfig;
import org.stellaops.orchestrator.support.Jwts;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;

/**
 * JWTs from an external identity provider, verified against a JWKS endpoint served by a small
 * fake identity provider on a random port, and against a static public key.
 */
@ExtendWith(VertxExtension.class)
class JwtAuthenticationTest {

  private static final String ISSUER = "https://idp.example.com/realms/stella";
  private static final Jwts IDP = new Jwts("key-1");
  private static HttpServer jwksServer;
  private static TestGateway viaJwks;
  private static TestGateway viaPem;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    // Waiting here is fine: the JUnit thread is not one of the fake provider's event loops.
    jwksServer = vertx.createHttpServer()
        .requestHandler(req -> req.response().putHeader("Content-Type", "application/json").end(IDP.jwks().encode()))
        .listen(0)
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    String jwksUrl = "http://127.0.0.1:" + jwksServer.actualPort() + "/protocol/openid-connect/certs";
    viaJwks = TestGateway.start(c -> c.withJwt(jwt(Optional.of(jwksUrl), Optional.empty())));
    viaPem = TestGateway.start(c -> c.withJwt(jwt(Optional.empty(), Optional.of(IDP.publicKeyPem()))));
  }

  private static AppConfig.Jwt jwt(Optional<String> jwksUrl, Optional<String> pem) {
    return new AppConfig.Jwt(Optional.of(ISSUER), Optional.of("stella-gateway"), jwksUrl, pem, "RS256",
        "realm_access.roles", "preferred_username", 600);
  }

  @AfterAll
  static void stop() {
    viaJwks.close();
    viaPem.close();
    jwksServer.close();
  }

  private static String token(String audience, long ttl, String... roles) {
    return IDP.sign(ISSUER, audience, "user-123", ttl, new JsonObject()
        .put("preferred_username", "alice")
        .put("realm_access", new JsonObject().put("roles", new JsonArray(java.util.List.of((Object[]) roles)))));
  }

  @Test
  @DisplayName("a JWT verified through JWKS maps its roles claim: a viewer reads but cannot create")
  void jwksViewer() {
    String viewer = token("stella-gateway", 300, "viewer", "offline_access");
    assertThat(viaJwks.get("/api/v1/releases", viewer).status()).isEqualTo(200);
    Resp denied = viaJwks.post("/api/v1/components", viewer, new JsonObject().put("name", "a").put("imageRepository", "a/b"));
    assertThat(denied.status()).isEqualTo(403);
    assertThat(denied.error().getString("message")).contains("component:create");
  }

  @Test
  @DisplayName("a JWT with the operator role creates a component attributed to the user")
  void operatorCreates() {
    Resp r = viaPem.post("/api/v1/components", token("stella-gateway", 300, "operator"),
        new JsonObject().put("name", "jwt-made").put("imageRepository", "registry.example.com/jwt/made"));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    assertThat(r.data().getString("createdBy")).isEqualTo("user:alice");
  }

  @Test
  @DisplayName("expired JWTs, JWTs for another audience and JWTs signed by another key get 401")
  void invalidJwtsAreRefused() {
    Jwts stranger = new Jwts("key-1");
    for (TestGateway gw : new TestGateway[] {viaJwks, viaPem}) {
      assertThat(gw.get("/api/v1/releases", token("stella-gateway", -120, "admin")).status()).isEqualTo(401);
      assertThat(gw.get("/api/v1/releases", token("someone-else", 300, "admin")).status()).isEqualTo(401);
      String forged = stranger.sign(ISSUER, "stella-gateway", "mallory", 300,
          new JsonObject().put("realm_access", new JsonObject().put("roles", new JsonArray().add("admin"))));
      assertThat(gw.get("/api/v1/releases", forged).status()).isEqualTo(401);
    }
  }
}
