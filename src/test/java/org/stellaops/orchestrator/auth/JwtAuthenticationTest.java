package org.stellaops.orchestrator.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.ext.web.client.WebClient;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.LoggerFactory;

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

  private static JsonObject adminClaims(long ttl) {
    return Jwts.claims(ISSUER, "stella-gateway", "mallory", ttl,
        new JsonObject().put("realm_access", new JsonObject().put("roles", new JsonArray().add("admin"))));
  }

  @Test
  @DisplayName("alg none, HS256 signed with the public key, a missing signature and a missing exp all get 401")
  void unsignedAndSymmetricTokensAreRefused() {
    JsonObject noExp = adminClaims(300);
    noExp.remove("exp");
    String valid = IDP.signClaims(adminClaims(300));
    String withoutSignature = valid.substring(0, valid.lastIndexOf('.') + 1);
    for (TestGateway gw : new TestGateway[] {viaJwks, viaPem}) {
      assertThat(gw.get("/api/v1/releases", valid).status()).isEqualTo(200);
      assertThat(gw.get("/api/v1/releases", IDP.unsignedToken(adminClaims(300))).status()).isEqualTo(401);
      assertThat(gw.get("/api/v1/releases", IDP.hs256WithPublicKey(adminClaims(300))).status()).isEqualTo(401);
      assertThat(gw.get("/api/v1/releases", withoutSignature).status()).isEqualTo(401);
      Resp missingExp = gw.get("/api/v1/releases", IDP.signClaims(noExp));
      assertThat(missingExp.status()).isEqualTo(401);
      assertThat(missingExp.error().getString("code")).isEqualTo("UNAUTHORIZED");
    }
  }

  @Test
  @DisplayName("the header check refuses none, HS*, unknown algorithms and empty signatures before any key is tried")
  void headerRefusals() {
    assertThat(JwtRules.refusal(IDP.signClaims(adminClaims(60)))).isEmpty();
    assertThat(JwtRules.refusal(IDP.unsignedToken(adminClaims(60)))).get().asString().contains("not signed");
    assertThat(JwtRules.refusal(IDP.hs256WithPublicKey(adminClaims(60)))).get().asString().contains("HS256");
    assertThat(JwtRules.refusal("a.b")).isPresent();
    assertThat(JwtRules.refusal("!!.b.c")).isPresent();
  }

  @Test
  @DisplayName("a JWKS with no usable signing key (only oct and encryption keys) stops the gateway at start-up")
  void unusableKeySetStopsStartUp(Vertx vertx) throws Exception {
    JsonObject unusable = new JsonObject().put("keys", new JsonArray()
        .add(new JsonObject().put("kty", "oct").put("alg", "HS256").put("k", "c2VjcmV0LXNlY3JldC1zZWNyZXQ"))
        .add(IDP.jwks().getJsonArray("keys").getJsonObject(0).copy().put("use", "enc")));
    HttpServer server = vertx.createHttpServer()
        .requestHandler(req -> req.response().putHeader("Content-Type", "application/json").end(unusable.encode()))
        .listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    try {
      String url = "http://127.0.0.1:" + server.actualPort() + "/certs";
      assertThatThrownBy(() -> TestGateway.start(c -> c.withJwt(jwt(Optional.of(url), Optional.empty()))))
          .hasRootCauseMessage("JWKS at " + url + " holds no usable signing key (2 keys; a usable one is an RSA, EC "
              + "or OKP key for signatures with an algorithm of " + AppConfig.Jwt.ALLOWED_ALGORITHMS + ")");
    } finally {
      server.close();
    }
  }

  @Test
  @DisplayName("a JWKS refresh that yields no usable key keeps the keys loaded before")
  void emptyRefreshKeepsPreviousKeys(Vertx vertx) throws Exception {
    AtomicReference<JsonObject> served = new AtomicReference<>(IDP.jwks());
    HttpServer server = vertx.createHttpServer()
        .requestHandler(req -> req.response().putHeader("Content-Type", "application/json").end(served.get().encode()))
        .listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    WebClient client = WebClient.create(vertx);
    try {
      JwtVerifier verifier = new JwtVerifier(vertx, jwt(Optional.of("http://127.0.0.1:" + server.actualPort() + "/c"),
          Optional.empty()), client);
      verifier.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      served.set(new JsonObject().put("keys", new JsonArray()));
      assertThatThrownBy(() -> verifier.refresh().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS))
          .hasMessageContaining("no usable signing key");
      Principal alice = verifier.verify(token("stella-gateway", 300, "viewer"))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(alice.name()).isEqualTo("alice");
      // And an unsigned token is still refused: an empty set never switches the provider to unsecured mode.
      assertThatThrownBy(() -> verifier.verify(IDP.unsignedToken(adminClaims(300)))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
      verifier.stop();
    } finally {
      client.close();
      server.close();
    }
  }

  @Test
  @DisplayName("a JWT principal is identified by sub, whatever the subject claim that names it says")
  void principalIdIsSub(Vertx vertx) throws Exception {
    JwtVerifier verifier = new JwtVerifier(vertx, jwt(Optional.empty(), Optional.of(IDP.publicKeyPem())), null);
    verifier.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Principal renamed = verifier.verify(IDP.sign(ISSUER, "stella-gateway", "user-123", 300,
        new JsonObject().put("preferred_username", "bob"))).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    assertThat(renamed.id()).isEqualTo("user-123");
    assertThat(renamed.name()).isEqualTo("bob");
    Principal other = verifier.verify(IDP.sign(ISSUER, "stella-gateway", "user-456", 300,
        new JsonObject().put("preferred_username", "bob"))).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    assertThat(other.id()).isNotEqualTo(renamed.id());
    JsonObject noSub = Jwts.claims(ISSUER, "stella-gateway", "x", 300, new JsonObject());
    noSub.remove("sub");
    assertThatThrownBy(() -> verifier.verify(IDP.signClaims(noSub)).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS)).hasMessageContaining("sub");
  }

  @Test
  @DisplayName("an empty jwt.audience logs a warning at start-up")
  void emptyAudienceWarns(Vertx vertx) throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(JwtVerifier.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      AppConfig.Jwt noAudience = new AppConfig.Jwt(Optional.of(ISSUER), Optional.empty(), Optional.empty(),
          Optional.of(IDP.publicKeyPem()), "RS256", "realm_access.roles", "preferred_username", 600);
      new JwtVerifier(vertx, noAudience, null).start().toCompletionStage().toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      assertThat(appender.list).anySatisfy(e -> {
        assertThat(e.getLevel()).isEqualTo(Level.WARN);
        assertThat(e.getFormattedMessage()).contains("jwt.audience").contains("STELLA_JWT_AUDIENCE");
      });
      appender.list.clear();
      new JwtVerifier(vertx, jwt(Optional.empty(), Optional.of(IDP.publicKeyPem())), null).start()
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(appender.list).noneMatch(e -> e.getFormattedMessage().contains("jwt.audience"));
    } finally {
      logger.detachAppender(appender);
    }
  }
}
