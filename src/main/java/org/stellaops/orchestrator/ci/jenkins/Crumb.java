package org.stellaops.orchestrator.ci.jenkins;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A CSRF crumb and the session it belongs to (https://www.jenkins.io/doc/book/security/csrf-protection/). API tokens do not need one; a password does, and
 * since Jenkins 2.176.2 the crumb is only valid with the session cookie the crumb issuer set. Pure.
 */
record Crumb(String field, String value, String cookie) {

  /** Jenkins' 403 page for a POST without a valid crumb says so ("No valid crumb was included in the request"). */
  static boolean isCrumbProblem(int status, String body) {
    return status == 403 && body != null && body.toLowerCase(Locale.ROOT).contains("crumb");
  }

  /** {@code GET /crumbIssuer/api/json}'s answer with the response's {@code Set-Cookie} values. */
  static Crumb from(JsonObject json, List<String> setCookies) {
    String field = json.getString("crumbRequestField");
    String value = json.getString("crumb");
    if (field == null || value == null) {
      throw new IllegalStateException("no crumb or crumbRequestField");
    }
    return new Crumb(field, value, cookieHeader(setCookies));
  }

  /** {@code Set-Cookie: JSESSIONID.x=abc; Path=/; HttpOnly} → {@code JSESSIONID.x=abc}; null when there is none. */
  static String cookieHeader(List<String> setCookies) {
    if (setCookies == null || setCookies.isEmpty()) {
      return null;
    }
    return setCookies.stream()
        .map(c -> c.split(";", 2)[0].strip())
        .filter(c -> !c.isEmpty())
        .collect(Collectors.joining("; "));
  }
}
