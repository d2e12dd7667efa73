package org.stellaops.orchestrator.citrust;

import org.stellaops.orchestrator.platform.CappedBody;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.impl.jose.JWK;
import io.vertx.ext.auth.impl.jose.JWT;
import io.vertx.ext.web.client.WebClient;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stellaops.orchestrator.auth.JwtRules;
import org.stellaops.orchestrator.platform.AppConfig;
import org.stellaops.orchestrator.platform.ConfigLoader;

/**
 * The signing keys of each CI issuer, found through its OpenID Connect discovery document
 * ({@code {issuer}/.well-known/openid-configuration}, whose {@code jwks_uri} names the key set:
 * https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig) and fetched through
 * the egress-controlled client, so the egress policy applies to issuers like to every other call.
 *
 * <p>Guarantees: a key set is used only when the discovery document's {@code issuer} equals the
 * issuer asked for (OIDC Discovery section 4.3), its {@code jwks_uri} is https (plain http only to a
 * loopback host), and the set holds at least one usable key ({@link JwtRules#usableKeys}). Keys are
 * kept per issuer and refreshed every {@code ciTrust.keysRefresh} seconds (a failed refresh keeps
 * the keys loaded); a token naming a key id not in the set makes the set be fetched again, but at
 * most once per {@code ciTrust.unknownKeyRefetch} seconds per issuer, and a failed first fetch is
 * not retried sooner either, so tokens with made-up key ids or issuers cannot make the gateway
 * flood an issuer. Concurrent requests for one issuer share one fetch. Safe to use from every
 * event loop.
 */
public final class IssuerKeys {

  private static final Logger LOG = LoggerFactory.getLogger(IssuerKeys.class);
  private static final String DISCOVERY_PATH = "/.well-known/openid-configuration";
  /** Issuers no token has named for this long are forgotten at the next refresh. */
  private static final long FORGET_AFTER_MILLIS = 24 * 3600 * 1000L;

  /** One issuer's verified keys, with the ids they are published under. */
  public record KeySet(JWT verifier, Set<String> keyIds, String jwksUri) {}

  private final Vertx vertx;
  private final WebClient http;
  private final long refreshMillis;
  private final long refetchMillis;
  private final LongSupplier clock;
  private final Map<String, KeySet> keys = new ConcurrentHashMap<>();
  private final Map<String, Future<KeySet>> fetching = new ConcurrentHashMap<>();
  private final Map<String, Long> lastFetch = new ConcurrentHashMap<>();
  private final Map<String, Long> lastUse = new ConcurrentHashMap<>();
  private long timer = -1;

  public IssuerKeys(Vertx vertx, WebClient http, AppConfig.CiTrust config) {
    this.vertx = vertx;
    this.http = http;
    this.refreshMillis = config.keysRefreshSeconds() * 1000L;
    this.refetchMillis = config.unknownKeyRefetchSeconds() * 1000L;
    this.clock = System::currentTimeMillis;
  }

  /** Starts refreshing the keys of the issuers in use. */
  public void start() {
    timer = vertx.setPeriodic(refreshMillis, id -> refreshAll());
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** The issuer's keys: the loaded ones, or the first fetch (failing when it fails or failed a moment ago). */
  public Future<KeySet> of(String issuer) {
    lastUse.put(issuer, clock.getAsLong());
    KeySet loaded = keys.get(issuer);
    if (loaded != null) {
      return Future.succeededFuture(loaded);
    }
    return onCallerContext(fetch(issuer, Optional.empty(), true));
  }

  /**
   * The keys after a token named {@code keyId}, which {@code seen} does not hold: the set fetched
   * again from the known {@code jwks_uri} when the issuer's last fetch is at least
   * {@code ciTrust.unknownKeyRefetch} seconds old, {@code seen} otherwise.
   */
  public Future<KeySet> afterUnknownKey(String issuer, KeySet seen) {
    return onCallerContext(fetch(issuer, Optional.of(seen.jwksUri()), true).recover(e -> Future.succeededFuture(seen)));
  }

  /**
   * {@code future}, completed on the calling event loop: a fetch is shared by callers on every
   * event loop, and each must go on with its request on its own.
   */
  private static <T> Future<T> onCallerContext(Future<T> future) {
    Context caller = Vertx.currentContext();
    if (caller == null || future.isComplete()) {
      return future;
    }
    Promise<T> promise = Promise.promise();
    future.onComplete(result -> caller.runOnContext(v -> promise.handle(result)));
    return promise.future();
  }

  /** Takes the issuer's fetch slot when its last fetch is old enough; false when another fetch is too recent. */
  private boolean claimFetch(String issuer) {
    long now = clock.getAsLong();
    AtomicBoolean claimed = new AtomicBoolean();
    lastFetch.compute(issuer, (k, last) -> {
      if (last == null || now - last >= refetchMillis) {
        claimed.set(true);
        return now;
      }
      return last;
    });
    return claimed.get();
  }

  private void refreshAll() {
    long now = clock.getAsLong();
    for (String issuer : List.copyOf(keys.keySet())) {
      if (now - lastUse.getOrDefault(issuer, 0L) > FORGET_AFTER_MILLIS) {
        keys.remove(issuer);
        lastUse.remove(issuer);
        lastFetch.remove(issuer);
        continue;
      }
      lastFetch.put(issuer, now);
      fetch(issuer, Optional.empty(), false).onFailure(e -> LOG.warn(
          "refreshing the keys of CI issuer {} failed, keeping the previous keys: {}", issuer, e.getMessage()));
    }
  }

  /**
   * One fetch per issuer at a time (a caller arriving during one shares it): discovery (unless the
   * key set's address is given), then the key set. With {@code claimSlot}, fails at once when the
   * issuer's last fetch is more recent than {@code ciTrust.unknownKeyRefetch}.
   */
  private Future<KeySet> fetch(String issuer, Optional<String> knownJwksUri, boolean claimSlot) {
    Promise<KeySet> promise = Promise.promise();
    Future<KeySet> running = fetching.putIfAbsent(issuer, promise.future());
    if (running != null) {
      return running;
    }
    if (claimSlot && !claimFetch(issuer)) {
      fetching.remove(issuer, promise.future());
      KeySet loaded = keys.get(issuer);
      return loaded != null ? Future.succeededFuture(loaded) : Future.failedFuture(new IllegalStateException(
          "the keys of " + issuer + " were fetched (or failed to be) less than " + refetchMillis / 1000
              + " s ago; the next attempt is not sooner"));
    }
    Future<String> jwksUri = knownJwksUri.map(Future::succeededFuture).orElseGet(() -> discover(issuer));
    jwksUri.compose(uri -> JwtRules.fetchKeys(http, uri).map(usable -> keySet(uri, usable)))
        .onSuccess(set -> {
          keys.put(issuer, set);
          LOG.info("loaded {} signing keys of CI issuer {}", set.keyIds().size(), issuer);
        })
        .onComplete(result -> {
          fetching.remove(issuer, promise.future());
          promise.handle(result);
        });
    return promise.future();
  }

  private Future<String> discover(String issuer) {
    String url = (issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer) + DISCOVERY_PATH;
    return http.getAbs(url).followRedirects(false).timeout(JwtRules.FETCH_TIMEOUT_MILLIS)
        .as(new CappedBody(CappedBody.KEY_DOCUMENT_LIMIT)).send().map(response -> {
      if (response.statusCode() != 200) {
        throw new IllegalStateException("the discovery document " + url + " answered " + response.statusCode());
      }
      JsonObject document = JwtRules.jsonObject(response.body(), "the discovery document " + url);
      Optional<String> problem = discoveryProblem(document, issuer);
      if (problem.isPresent()) {
        throw new IllegalStateException("the discovery document " + url + " " + problem.get());
      }
      return document.getString("jwks_uri");
    });
  }

  /**
   * Why a discovery document cannot be used for {@code issuer}: not a JSON object, an
   * {@code issuer} other than the one asked for (OIDC Discovery 1.0 section 4.3), or a
   * {@code jwks_uri} that is not https (plain http only to a loopback host). Pure.
   */
  static Optional<String> discoveryProblem(JsonObject document, String issuer) {
    if (document == null) {
      return Optional.of("is not a JSON object");
    }
    Object claimed = document.getValue("issuer");
    if (!issuer.equals(claimed)) {
      return Optional.of("names the issuer " + claimed + ", not " + issuer);
    }
    if (!(document.getValue("jwks_uri") instanceof String uri) || !ConfigLoader.secureOrLoopback(uri)) {
      return Optional.of("has no https:// jwks_uri (plain http:// only to a loopback host)");
    }
    return Optional.empty();
  }

  private static KeySet keySet(String jwksUri, List<JsonObject> usable) {
    JWT verifier = new JWT();
    usable.forEach(key -> verifier.addJWK(new JWK(key)));
    Set<String> ids = usable.stream().map(key -> key.getString("kid")).filter(java.util.Objects::nonNull)
        .collect(Collectors.toUnmodifiableSet());
    return new KeySet(verifier, ids, jwksUri);
  }
}
