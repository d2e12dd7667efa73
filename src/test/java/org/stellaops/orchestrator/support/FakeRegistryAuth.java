package org.stellaops.orchestrator.support;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A registry that wants a bearer token, and the token service it names, as Docker Hub and Quay
 * run them. The contract is the distribution project's token authentication specification
 * (https://distribution.github.io/distribution/spec/auth/token/) and Docker Hub's description of
 * it (https://docs.docker.com/reference/api/registry/auth/):
 * <ul>
 *   <li>a manifest request without a valid token is 401 with
 *       {@code WWW-Authenticate: Bearer realm="…",service="…",scope="repository:<name>:pull"} and,
 *       where there is a body, the registry's error list {@code {"errors":[{"code":"UNAUTHORIZED",…}]}}
 *       (https://distribution.github.io/distribution/spec/api/#errors);</li>
 *   <li>the token service takes only {@code GET} with {@code service} and {@code scope} as query
 *       parameters and the account as HTTP Basic; it answers {@code {"token", "access_token",
 *       "expires_in", "issued_at"}}, or 401 {@code {"details":"incorrect username or password"}}
 *       for a wrong account, and grants nothing for another service or scope.</li>
 * </ul>
 */
public final class FakeRegistryAuth {

  private final String service;
  private final String username;
  private final String password;
  private final String token = "t0k-" + java.util.UUID.randomUUID();
  private final List<String> tokenRequests = new CopyOnWriteArrayList<>();

  public FakeRegistryAuth(String service, String username, String password) {
    this.service = service;
    this.username = username;
    this.password = password;
  }

  /** Every token request as "Authorization header | query", for tests that check who was asked. */
  public List<String> tokenRequests() {
    return tokenRequests;
  }

  /**
   * The registry: {@code HEAD}/{@code GET /v2/<name>/manifests/<ref>} answers {@code digestOf(path)}
   * with a token for {@code repository:<name>:pull}, else the 401 challenge naming
   * {@code realm.get()}; anything else is 404.
   */
  public Handler<HttpServerRequest> registry(Supplier<String> realm, Function<String, String> digestOf) {
    return req -> {
      int manifests = req.path().indexOf("/manifests/");
      if (!req.path().startsWith("/v2/") || manifests < 0
          || (req.method() != HttpMethod.HEAD && req.method() != HttpMethod.GET)) {
        req.response().setStatusCode(404).end();
        return;
      }
      String name = req.path().substring(4, manifests);
      if (!("Bearer " + token).equals(req.getHeader("Authorization"))) {
        JsonObject errors = new JsonObject().put("errors", new JsonArray().add(new JsonObject()
            .put("code", "UNAUTHORIZED").put("message", "authentication required")
            .put("detail", new JsonArray().add(new JsonObject().put("Type", "repository").put("Name", name)
                .put("Action", "pull")))));
        req.response().setStatusCode(401)
            .putHeader("WWW-Authenticate", "Bearer realm=\"" + realm.get() + "\",service=\"" + service
                + "\",scope=\"repository:" + name + ":pull\"")
            .putHeader("Content-Type", "application/json")
            .end(req.method() == HttpMethod.HEAD ? "" : errors.encode());
        return;
      }
      req.response().putHeader("Docker-Content-Digest", digestOf.apply(req.path()))
          .putHeader("Content-Type", "application/vnd.oci.image.manifest.v1+json").end();
    };
  }

  /** The token service at the realm. */
  public Handler<HttpServerRequest> tokenService() {
    return req -> {
      tokenRequests.add(req.getHeader("Authorization") + " | " + req.query());
      if (req.method() != HttpMethod.GET) {
        req.response().setStatusCode(405).putHeader("Allow", "GET").end();
        return;
      }
      String expected = "Basic " + Base64.getEncoder()
          .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
      if (!expected.equals(req.getHeader("Authorization"))) {
        req.response().setStatusCode(401).putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("details", "incorrect username or password").encode());
        return;
      }
      String scope = req.getParam("scope");
      if (!service.equals(req.getParam("service")) || scope == null || !scope.matches("repository:[^:]+:pull")) {
        // The service grants nothing it was not asked for properly: an empty access list, as
        // for an anonymous request, whose token the registry then refuses.
        req.response().putHeader("Content-Type", "application/json").end(new JsonObject()
            .put("token", "no-access").put("access_token", "no-access").put("expires_in", 300)
            .put("issued_at", Instant.now().toString()).encode());
        return;
      }
      req.response().putHeader("Content-Type", "application/json").end(new JsonObject()
          .put("token", token).put("access_token", token).put("expires_in", 300)
          .put("issued_at", Instant.now().toString()).encode());
    };
  }
}
