package org.stellaops.orchestrator.citrust;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.stellaops.orchestrator.auth.GrantFields;
import org.stellaops.orchestrator.auth.Permission;
import org.stellaops.orchestrator.auth.Roles;
import org.stellaops.orchestrator.egress.EgressPolicy;
import org.stellaops.orchestrator.platform.ConfigLoader;
import org.stellaops.orchestrator.platform.Ids;
import org.stellaops.orchestrator.platform.Validator;

/**
 * Create a CI trust policy: which tokens it matches, the roles and permissions it grants them, whether a
 * release they create must name their own repository and commit, and which components it may pin
 * ({@code components}, null for every one).
 */
public record CreateCiTrustPolicy(String name, TokenMatch tokens, List<String> roles, List<Permission> permissions,
    boolean bindSourceRef, List<UUID> components) {

  /** Tokens of {@code issuer} for {@code audience} whose claims match {@code claims} (name to pattern). */
  public record TokenMatch(String issuer, String audience, JsonObject claims) {}

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  private static final Pattern CLAIM_NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
  private static final int MAX_CLAIMS = 20;
  private static final int MAX_PATTERN = 255;
  private static final int MAX_COMPONENTS = 100;
  /** Claims a policy cannot constrain: the issuer and audience have their own fields, the rest say nothing about the job. */
  private static final Set<String> RESERVED_CLAIMS = Set.of("iss", "aud", "exp", "nbf", "iat", "jti");
  /**
   * Claims that name who owns the code a token was issued for, on GitHub and GitLab: a policy
   * must pin one of them, with no wildcard in its owner part, or it would trust every account of
   * a public issuer whose jobs carry a matching ref or event.
   */
  static final Set<String> OWNER_CLAIMS = Set.of("repository", "repository_id", "repository_owner",
      "repository_owner_id", "project_path", "project_id", "namespace_path", "namespace_id", "sub");
  /** A CI job never counts as an approver: approvals are a person's (four eyes). */
  private static final Permission APPROVE = Permission.of("promotion:approve");

  /**
   * The body of {@code POST /api/v1/ci-trust-policies}; every bad field is reported in one 400, an issuer the
   * egress policy denies among them. {@code userIssuer} is the users' identity provider
   * (jwt.issuer), which no policy may name.
   */
  public static CreateCiTrustPolicy parse(JsonObject body, EgressPolicy egress, Optional<String> userIssuer) {
    Validator v = new Validator(body);
    String name = v.matching("name", v.requiredString("name", 100), NAME,
        "1-100 letters, digits, '.', '_' or '-', starting with a letter or digit");
    String issuer = issuer(v, egress, userIssuer);
    String audience = v.requiredString("audience", 255);
    JsonObject claims = claims(v);
    List<String> roles = GrantFields.roles(v);
    List<Permission> permissions = GrantFields.permissions(v);
    if (roles.isEmpty() && permissions.isEmpty() && v.isValid()) {
      v.error("roles", "give at least one role or permission", "REQUIRED");
    }
    if (roles != null && permissions != null
        && Roles.expand(roles, permissions).stream().anyMatch(p -> p.grants(APPROVE))) {
      v.error(roles.stream().anyMatch(r -> Roles.expand(List.of(r), List.of()).stream().anyMatch(p -> p.grants(APPROVE)))
              ? "roles" : "permissions",
          "must not grant promotion:approve: a CI job never counts as an approver (approvals need a person "
          + "other than the requester, and each job of a repository would count as another one)", "GRANTS_APPROVAL");
    }
    Boolean bind = v.optionalBoolean("bindSourceRef");
    List<UUID> components = components(v);
    v.throwIfInvalid();
    return new CreateCiTrustPolicy(name, new TokenMatch(issuer, audience, claims), roles, permissions,
        bind == null || bind, components);
  }

  /**
   * The component ids a policy's jobs may pin: 1 to {@value #MAX_COMPONENTS} distinct UUIDs, or
   * null (absent) for every component. An empty list is refused rather than read as either.
   * Whether each component exists is checked when the policy is created.
   */
  private static List<UUID> components(Validator v) {
    JsonArray array = v.optionalArray("components");
    if (array == null) {
      return null;
    }
    if (array.isEmpty() || array.size() > MAX_COMPONENTS) {
      v.error("components", "give 1 to " + MAX_COMPONENTS + " component ids, or leave the field out to allow "
          + "every component", array.isEmpty() ? "EMPTY" : "TOO_MANY");
      return null;
    }
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      UUID id = array.getValue(i) instanceof String s ? Ids.uuidOrNull(s) : null;
      if (id == null) {
        v.error("components[" + i + "]", "must be a component id (a UUID)", "INVALID_FORMAT");
      } else if (ids.contains(id)) {
        v.error("components[" + i + "]", "repeats component " + id, "DUPLICATE");
      } else {
        ids.add(id);
      }
    }
    return ids;
  }

  /**
   * The issuer, compared exactly with the tokens' {@code iss}: an https URL (plain http only to a
   * loopback host, as for jwt.jwksUrl), without credentials, query or fragment, and not a literal
   * address the egress policy denies, since its discovery document is fetched from it.
   */
  private static String issuer(Validator v, EgressPolicy egress, Optional<String> userIssuer) {
    String issuer = v.requiredString("issuer", 2048);
    if (issuer == null) {
      return null;
    }
    URI uri;
    try {
      uri = new URI(issuer);
    } catch (URISyntaxException e) {
      uri = null;
    }
    if (uri == null || !ConfigLoader.secureOrLoopback(issuer) || uri.getRawUserInfo() != null
        || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      v.error("issuer", "must be an https:// URL without credentials, query or fragment, such as "
          + "https://token.actions.githubusercontent.com or https://gitlab.com (plain http:// only to a loopback "
          + "host): the issuer's signing keys are fetched from it", "INVALID_FORMAT");
      return null;
    }
    if (userIssuer.filter(issuer::equals).isPresent()) {
      v.error("issuer", "is the issuer of the users' identity provider (jwt.issuer): its tokens are users, "
          + "verified as such, and cannot also be CI identities", "USER_ISSUER");
      return null;
    }
    egress.checkUrl(v, "issuer", issuer);
    return issuer;
  }

  /** At least one claim, each a pattern that does not match everything: otherwise every job of the issuer is trusted. */
  private static JsonObject claims(Validator v) {
    if (!v.has("claims")) {
      v.error("claims", "is required: name at least one claim the tokens must carry, such as repository "
          + "(GitHub) or project_path (GitLab)", "REQUIRED");
      return null;
    }
    JsonObject claims = v.optionalStringMap("claims", MAX_CLAIMS, MAX_PATTERN);
    if (claims == null) {
      return null;
    }
    if (claims.isEmpty()) {
      v.error("claims", "must name at least one claim, such as repository (GitHub) or project_path (GitLab): "
          + "without one, every job of every repository whose CI uses this issuer would be trusted", "REQUIRED");
      return null;
    }
    for (String claim : claims.fieldNames()) {
      String field = "claims." + claim;
      if (!CLAIM_NAME.matcher(claim).matches()) {
        v.error(field, "a claim name is 1-64 letters, digits, '_', '.', ':' or '-'", "INVALID_FORMAT");
      } else if (RESERVED_CLAIMS.contains(claim)) {
        v.error(field, "cannot be constrained here: the issuer and audience fields set iss and aud, and "
            + RESERVED_CLAIMS + " say nothing about the job", "RESERVED_CLAIM");
      } else if (claims.getValue(claim) instanceof String pattern) {
        if (pattern.isBlank()) {
          v.error(field, "must not be blank", "BLANK");
        } else if (ClaimPatterns.matchesEverything(pattern)) {
          v.error(field, "matches every value; leave the claim out, or give a value or a pattern such as "
              + "refs/tags/v*", "MATCHES_EVERYTHING");
        }
      }
    }
    if (v.isValid() && !ownerPinned(claims)) {
      v.error("claims", "must pin who owns the code with one of " + new java.util.TreeSet<>(OWNER_CLAIMS)
          + ", without a wildcard in its owner part (myorg/myapp or myorg/*, not myorg*/app): refs and events "
          + "alone match jobs of every account on the issuer", "OWNER_NOT_PINNED");
    }
    return claims;
  }

  /**
   * Whether {@code claims} pin an owner: one of {@link #OWNER_CLAIMS} whose value has no wildcard
   * up to its first '/' (all of it, for a value without one). Pure.
   */
  static boolean ownerPinned(JsonObject claims) {
    for (String claim : OWNER_CLAIMS) {
      if (claims.getValue(claim) instanceof String pattern) {
        int slash = pattern.indexOf('/');
        String owner = slash < 0 ? pattern : pattern.substring(0, slash);
        if (!owner.isEmpty() && owner.indexOf('*') < 0 && owner.indexOf('?') < 0) {
          return true;
        }
      }
    }
    return false;
  }
}
