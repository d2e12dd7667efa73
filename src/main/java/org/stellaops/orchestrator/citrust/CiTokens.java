package org.stellaops.orchestrator.citrust;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.NoSuchKeyIdException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stellaops.orchestrator.auth.CiIdentity;
import org.stellaops.orchestrator.auth.JwtRules;
import org.stellaops.orchestrator.auth.Permission;
import org.stellaops.orchestrator.auth.Principal;
import org.stellaops.orchestrator.auth.Roles;
import org.stellaops.orchestrator.platform.ApiException;

/**
 * Verifies CI jobs' OIDC ID tokens against the CI trust policies of their issuer and turns a
 * trusted one into a {@link Principal} of kind {@code ci}.
 *
 * <p>Guarantees: a principal is made only from a token that passes {@link JwtRules#refusal}, whose
 * signature verifies under a key of its issuer's published key set ({@link IssuerKeys}), whose
 * {@code iss} equals the policies' issuer exactly, which has a numeric {@code exp} in the future,
 * no {@code nbf} in the future (30 s of clock skew allowed), a {@code sub}, and whose {@code aud}
 * and claims match at least one policy. Its rights are the union of every matching policy's, the
 * components it may release among them ({@link ComponentAllowlist}). Nothing
 * is cached: each request is verified again, so the principal lives no longer than the token, and
 * a deleted policy trusts nothing from the next request on.
 */
public final class CiTokens {

  private static final Logger LOG = LoggerFactory.getLogger(CiTokens.class);
  private static final long NBF_SKEW_SECONDS = 30;
  static final String INVALID = "bearer JWT is invalid or expired";

  private final CiTrustPolicyRepository policies;
  private final IssuerKeys keys;

  public CiTokens(CiTrustPolicyRepository policies, IssuerKeys keys) {
    this.policies = policies;
    this.keys = keys;
  }

  /**
   * The policies of the issuer a JWT names (unverified, only to choose how to verify it): empty
   * when none trusts that issuer, and the token is none of this verifier's business.
   */
  public Future<List<CiTrustPolicy>> policiesFor(String token) {
    Optional<String> issuer = JwtRules.unverifiedClaims(token)
        .map(claims -> claims.getValue("iss") instanceof String s ? s : null);
    return issuer.isEmpty() ? Future.succeededFuture(List.of()) : policies.ofIssuer(issuer.get());
  }

  /** The principal for a token of the issuer of {@code trusting} (non-empty, one issuer); a 401 otherwise. */
  public Future<Principal> verify(String token, List<CiTrustPolicy> trusting) {
    String issuer = trusting.get(0).issuer();
    Optional<String> refused = JwtRules.refusal(token);
    if (refused.isPresent()) {
      return Future.failedFuture(ApiException.unauthorized(INVALID));
    }
    return keys.of(issuer)
        .recover(e -> {
          LOG.warn("the keys of CI issuer {} are not available: {}", issuer, e.getMessage());
          return Future.failedFuture(ApiException.of(503, "ISSUER_UNAVAILABLE", "the signing keys of the CI issuer "
              + issuer + " could not be fetched; try again later").withRetryAfter(30));
        })
        .compose(set -> decode(token, set).recover(e -> e instanceof NoSuchKeyIdException
            ? keys.afterUnknownKey(issuer, set).compose(fresh -> decode(token, fresh))
            : Future.failedFuture(e)))
        .recover(e -> Future.failedFuture(e instanceof ApiException ? e : ApiException.unauthorized(INVALID)))
        .map(claims -> principal(claims, issuer, trusting, Instant.now().getEpochSecond()));
  }

  /** The verified claims; fails with NoSuchKeyIdException when the token names a key id the set lacks. */
  private static Future<JsonObject> decode(String token, IssuerKeys.KeySet set) {
    Object kid = JwtRules.header(token).map(h -> h.getValue("kid")).orElse(null);
    if (kid != null && !set.keyIds().contains(String.valueOf(kid))) {
      return Future.failedFuture(new NoSuchKeyIdException("-", String.valueOf(kid)));
    }
    try {
      return Future.succeededFuture(set.verifier().decode(token));
    } catch (RuntimeException | java.security.SignatureException e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * The principal for verified {@code claims}: time, issuer and subject checked, then matched
   * against {@code trusting}. A token no policy matches is a 401 naming the issuer and, per policy,
   * the claims that did not match (the expected patterns and the token's values). Pure.
   */
  static Principal principal(JsonObject claims, String issuer, List<CiTrustPolicy> trusting, long now) {
    if (!(claims.getValue("exp") instanceof Number exp) || exp.longValue() <= now
        || claims.getValue("nbf") != null
            && (!(claims.getValue("nbf") instanceof Number nbf) || nbf.longValue() > now + NBF_SKEW_SECONDS)
        || !issuer.equals(claims.getValue("iss"))
        || !(claims.getValue("sub") instanceof String sub) || sub.isBlank()) {
      throw ApiException.unauthorized(INVALID);
    }
    List<CiTrustPolicy> matching = new ArrayList<>();
    Map<String, String> unmatched = new TreeMap<>();
    List<String> reasons = new ArrayList<>();
    for (CiTrustPolicy policy : trusting) {
      List<CiTrustPolicy.Mismatch> mismatches = policy.mismatches(claims.getValue("aud"), claims);
      if (mismatches.isEmpty()) {
        matching.add(policy);
      } else {
        mismatches.forEach(m -> unmatched.putIfAbsent(m.claim(), m.got()));
        reasons.add("policy '" + policy.name() + "': " + mismatches.stream().map(Object::toString)
            .collect(Collectors.joining("; ")));
      }
    }
    if (matching.isEmpty()) {
      // The caller learns which of its own claims kept it out, not the policies' names or patterns
      // (anyone can mint a token of a public issuer); the operator finds those in the log.
      LOG.info("CI token of {} (sub {}) refused: {}", issuer, sub, String.join(" | ", reasons));
      throw ApiException.of(401, "UNAUTHORIZED", "no CI trust policy of issuer " + issuer + " matches this token; "
          + "claims that did not match: " + unmatched.entrySet().stream()
              .map(e -> e.getKey() + " (token has " + (e.getValue() == null ? "none" : "'" + e.getValue() + "'") + ")")
              .collect(Collectors.joining(", ")),
          new JsonObject().put("issuer", issuer).put("claims", new JsonArray(unmatched.entrySet().stream()
              .map(e -> new JsonObject().put("claim", e.getKey()).put("got", e.getValue())).toList())));
    }
    Set<Permission> permissions = new LinkedHashSet<>();
    matching.forEach(p -> permissions.addAll(Roles.expand(p.roles(), p.permissions())));
    List<String> names = matching.stream().map(CiTrustPolicy::name).sorted().toList();
    boolean bind = matching.stream().anyMatch(CiTrustPolicy::bindSourceRef);
    CiIdentity identity = new CiIdentity(issuer, sub, names, claims.copy(), bind,
        ComponentAllowlist.allowed(matching).orElse(null));
    return new Principal(Principal.CI, issuer + "|" + sub, identity.policy(), Set.copyOf(permissions), identity);
  }
}
