package org.stellaops.orchestrator.ci;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.stellaops.orchestrator.egress.EgressDeniedException;

/**
 * How a CI vendor's HTTP answer becomes a {@link CiException}, decided once for the three
 * connectors so that "401 means a person must fix the credentials" and "5xx means back off"
 * mean the same everywhere. Everything but the two {@code HttpResponse} adapters is pure.
 *
 * <p>{@code integration} in the signatures is the label the connector uses in messages (vendor
 * and integration name); {@code what} names the thing asked about ("project grp/proj"). Vendor
 * messages are quoted, shortened; request headers, and so credentials, never are.
 */
public final class HttpErrors {

  /** How long to pause when a vendor says "slow down" without saying for how long (GitHub's advice). */
  public static final Duration DEFAULT_RATE_LIMIT_WAIT = Duration.ofSeconds(60);

  private static final int MAX_DETAIL = 200;

  private HttpErrors() {}

  /** The answer itself when it is a 2xx; otherwise the exception {@link #forStatus} picks. */
  public static HttpResponse<Buffer> requireSuccess(String integration, String what, HttpResponse<Buffer> response,
      Clock clock) {
    if (response.statusCode() / 100 == 2) {
      return response;
    }
    throw forResponse(integration, what, response, clock);
  }

  public static CiException forResponse(String integration, String what, HttpResponse<Buffer> response, Clock clock) {
    return forStatus(integration, what, response.statusCode(), response.headers(), response.bodyAsString(),
        clock.instant());
  }

  /**
   * The exception for a non-success answer: 401 and non-limit 403 are {@code Unauthorized}, 429 and
   * GitHub's limit-403 are {@code RateLimited}, 404 {@code NotFound}, other 4xx {@code Rejected}, and
   * 5xx or anything unexpected (a 3xx nobody asked for) {@code Transient}.
   */
  public static CiException forStatus(String integration, String what, int status, MultiMap headers, String body,
      Instant now) {
    String detail = detail(body);
    if (status == 401) {
      return new CiException.Unauthorized(integration + " refused the credentials (401) for " + what + detail);
    }
    if (isRateLimited(status, headers, body)) {
      Instant resumeAt = resumeAt(headers, now);
      return new CiException.RateLimited(integration + " is rate-limiting us (" + status + ") for " + what
          + "; resume at " + resumeAt + detail, resumeAt);
    }
    if (status == 403) {
      return new CiException.Unauthorized(integration + " refused the credentials (403 forbidden) for " + what
          + detail);
    }
    if (status == 404) {
      return new CiException.NotFound(integration + ": " + what + " not found (404)" + detail);
    }
    if (status >= 500) {
      return new CiException.Transient(integration + " failed (" + status + ") for " + what + detail, null);
    }
    if (status >= 400) {
      return new CiException.Rejected(integration + " rejected the request (" + status + ") for " + what + detail);
    }
    return new CiException.Transient(integration + " gave an unexpected answer (" + status + ") for " + what + detail,
        null);
  }

  /**
   * 429 always. 403 only when it is GitHub's way of saying "limit": remaining 0 (primary limit), a
   * retry-after, or a message about a rate limit (secondary limit). Any other 403 is a permission problem.
   */
  public static boolean isRateLimited(int status, MultiMap headers, String body) {
    if (status == 429) {
      return true;
    }
    if (status != 403) {
      return false;
    }
    return "0".equals(trimmed(headers.get("x-ratelimit-remaining")))
        || headers.get("retry-after") != null
        || (body != null && body.toLowerCase(Locale.ROOT).contains("rate limit"));
  }

  /**
   * When a rate-limited integration may be called again: the latest of {@code Retry-After}, GitLab's
   * {@code RateLimit-Reset} and, when {@code x-ratelimit-remaining} is 0, GitHub's {@code x-ratelimit-reset};
   * the latest, because resuming before any one of them has passed would only be refused again.
   * Without any of them, now + {@link #DEFAULT_RATE_LIMIT_WAIT}. Never before now.
   */
  public static Instant resumeAt(MultiMap headers, Instant now) {
    Optional<Instant> githubReset = "0".equals(trimmed(headers.get("x-ratelimit-remaining")))
        ? epochSeconds(headers.get("x-ratelimit-reset"))
        : Optional.empty();
    return Stream.of(retryAfter(headers.get("retry-after"), now), epochSeconds(headers.get("ratelimit-reset")),
            githubReset)
        .flatMap(Optional::stream)
        .max(Comparator.naturalOrder())
        .map(at -> at.isBefore(now) ? now : at)
        .orElse(now.plus(DEFAULT_RATE_LIMIT_WAIT));
  }

  /** {@code Retry-After} as delta-seconds or an HTTP-date (RFC 9110 §10.2.3); empty when absent or unreadable. */
  public static Optional<Instant> retryAfter(String value, Instant now) {
    String v = trimmed(value);
    if (v == null) {
      return Optional.empty();
    }
    if (v.chars().allMatch(Character::isDigit)) {
      return parseLong(v).map(seconds -> now.plusSeconds(seconds));
    }
    try {
      return Optional.of(ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }

  /** A header holding UTC epoch seconds ({@code RateLimit-Reset}, {@code x-ratelimit-reset}); empty when unreadable. */
  public static Optional<Instant> epochSeconds(String value) {
    return Optional.ofNullable(trimmed(value)).flatMap(HttpErrors::parseLong).map(Instant::ofEpochSecond);
  }

  /**
   * The vendor's own short explanation: a JSON body's {@code message} (GitLab, GitHub) or {@code error},
   * else a plain-text body's first line. HTML error pages (Jenkins) say nothing useful and are skipped.
   */
  public static String vendorMessage(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    String text = body.strip();
    if (text.startsWith("{")) {
      try {
        JsonObject json = new JsonObject(text);
        Object message = json.getValue("message", json.getValue("error"));
        return message == null ? "" : shorten(String.valueOf(message));
      } catch (DecodeException e) {
        return shorten(firstLine(text));
      }
    }
    return text.startsWith("<") ? "" : shorten(firstLine(text));
  }

  /**
   * Any failure of a connector call as the {@link CiException} the caller expects: ours pass through;
   * an egress denial is {@code Rejected}; anything else (connection refused, timeout, TLS) is
   * {@code Transient}, saying what went wrong.
   */
  public static CiException asCiException(String integration, String what, Throwable failure) {
    if (failure instanceof CiException ci) {
      return ci;
    }
    if (EgressDeniedException.in(failure)) {
      // Retrying cannot help until the URL or egress.allowedNetworks changes.
      return new CiException.Rejected(integration + " was not called for " + what + ": " + failure.getMessage(), failure);
    }
    String reason = failure.getMessage() == null ? failure.getClass().getSimpleName()
        : failure.getClass().getSimpleName() + ": " + failure.getMessage();
    return new CiException.Transient(integration + " could not be reached for " + what + " (" + reason + ")", failure);
  }

  /**
   * Reads a JSON object answer with {@code reader}. A body that is not JSON, a field of the wrong type or a
   * missing required field (see {@link #text}, {@link #number}) means the vendor answered something we do not
   * understand, maybe a proxy's page: {@code Transient}, so a later try can succeed.
   */
  public static <T> T readJson(String integration, String what, HttpResponse<Buffer> response,
      Function<JsonObject, T> reader) {
    try {
      JsonObject json = response.bodyAsJsonObject();
      if (json == null) {
        throw new IllegalStateException("empty body");
      }
      return reader.apply(json);
    } catch (DecodeException | ClassCastException | IllegalStateException e) {
      throw new CiException.Transient(integration + " answered " + response.statusCode() + " for " + what
          + " with unexpected JSON (" + e.getMessage() + ")", e);
    }
  }

  /** A string field the vendor always sends; for use inside {@link #readJson}. */
  public static String text(JsonObject json, String field) {
    String value = json.getString(field);
    if (value == null) {
      throw new IllegalStateException("no \"" + field + "\"");
    }
    return value;
  }

  /** A number field the vendor always sends; for use inside {@link #readJson}. */
  public static long number(JsonObject json, String field) {
    Long value = json.getLong(field);
    if (value == null) {
      throw new IllegalStateException("no \"" + field + "\"");
    }
    return value;
  }

  private static String detail(String body) {
    String message = vendorMessage(body);
    return message.isEmpty() ? "" : ": " + message;
  }

  private static String firstLine(String text) {
    int nl = text.indexOf('\n');
    return nl < 0 ? text : text.substring(0, nl).strip();
  }

  private static String shorten(String text) {
    return text.length() <= MAX_DETAIL ? text : text.substring(0, MAX_DETAIL) + "…";
  }

  private static String trimmed(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    return value.strip();
  }

  private static Optional<Long> parseLong(String value) {
    try {
      return Optional.of(Long.parseLong(value));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
