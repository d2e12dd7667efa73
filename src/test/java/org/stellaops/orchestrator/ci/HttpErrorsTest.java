package org.stellaops.orchestrator.ci;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpErrorsTest {

  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  static final String WHO = "GitLab (integration 'prod')";

  static MultiMap headers(String... nameValues) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < nameValues.length; i += 2) {
      headers.add(nameValues[i], nameValues[i + 1]);
    }
    return headers;
  }

  @Test
  @DisplayName("Retry-After is read as delta-seconds or as an HTTP-date, and ignored when unreadable")
  void retryAfter() {
    assertThat(HttpErrors.retryAfter("30", NOW)).contains(NOW.plusSeconds(30));
    assertThat(HttpErrors.retryAfter(" 0 ", NOW)).contains(NOW);
    assertThat(HttpErrors.retryAfter("Sun, 01 Mar 2026 12:05:00 GMT", NOW)).contains(Instant.parse("2026-03-01T12:05:00Z"));
    assertThat(HttpErrors.retryAfter("soon", NOW)).isEmpty();
    assertThat(HttpErrors.retryAfter(null, NOW)).isEmpty();
  }

  @Test
  @DisplayName("reset headers are epoch seconds")
  void epochSeconds() {
    assertThat(HttpErrors.epochSeconds("1772366700")).contains(Instant.ofEpochSecond(1_772_366_700L));
    assertThat(HttpErrors.epochSeconds("tomorrow")).isEmpty();
    assertThat(HttpErrors.epochSeconds("")).isEqualTo(Optional.empty());
  }

  @Test
  @DisplayName("resumeAt takes the latest hint, uses x-ratelimit-reset only when remaining is 0, and defaults to 60 s")
  void resumeAt() {
    long in10Minutes = NOW.plusSeconds(600).getEpochSecond();
    assertThat(HttpErrors.resumeAt(headers("Retry-After", "30"), NOW)).isEqualTo(NOW.plusSeconds(30));
    assertThat(HttpErrors.resumeAt(headers("RateLimit-Reset", String.valueOf(in10Minutes)), NOW))
        .isEqualTo(NOW.plusSeconds(600));
    assertThat(HttpErrors.resumeAt(headers("retry-after", "30", "x-ratelimit-remaining", "0",
        "x-ratelimit-reset", String.valueOf(in10Minutes)), NOW)).isEqualTo(NOW.plusSeconds(600));
    assertThat(HttpErrors.resumeAt(headers("x-ratelimit-remaining", "12", "x-ratelimit-reset", String.valueOf(in10Minutes)),
        NOW)).isEqualTo(NOW.plusSeconds(60));
    assertThat(HttpErrors.resumeAt(headers(), NOW)).isEqualTo(NOW.plusSeconds(60));
    assertThat(HttpErrors.resumeAt(headers("RateLimit-Reset", String.valueOf(NOW.minusSeconds(5).getEpochSecond())), NOW))
        .isEqualTo(NOW);
  }

  @Test
  @DisplayName("a 403 is a rate limit only with remaining 0, a retry-after, or a message about a rate limit")
  void rateLimited403() {
    assertThat(HttpErrors.isRateLimited(429, headers(), "")).isTrue();
    assertThat(HttpErrors.isRateLimited(403, headers("x-ratelimit-remaining", "0"), "")).isTrue();
    assertThat(HttpErrors.isRateLimited(403, headers("Retry-After", "60"), "")).isTrue();
    assertThat(HttpErrors.isRateLimited(403, headers(), "{\"message\":\"You have exceeded a secondary rate limit.\"}")).isTrue();
    assertThat(HttpErrors.isRateLimited(403, headers("x-ratelimit-remaining", "4999"), "{\"message\":\"Forbidden\"}")).isFalse();
    assertThat(HttpErrors.isRateLimited(503, headers("Retry-After", "60"), "")).isFalse();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "401, Unauthorized",
      "403, Unauthorized",
      "404, NotFound",
      "400, Rejected",
      "409, Rejected",
      "422, Rejected",
      "429, RateLimited",
      "500, Transient",
      "502, Transient",
      "503, Transient",
      "302, Transient"})
  @DisplayName("each status class maps to the exception that tells the caller what to do")
  void forStatus(int status, String expected) {
    CiException e = HttpErrors.forStatus(WHO, "project grp/proj", status, headers(), "", NOW);

    assertThat(e.getClass().getSimpleName()).isEqualTo(expected);
    assertThat(e).hasMessageContaining(WHO).hasMessageContaining(String.valueOf(status));
  }

  @Test
  @DisplayName("messages quote the vendor's JSON message, a text body's first line, and nothing of an HTML page")
  void vendorMessage() {
    assertThat(HttpErrors.vendorMessage("{\"message\":\"404 Project Not Found\"}")).isEqualTo("404 Project Not Found");
    assertThat(HttpErrors.vendorMessage("{\"error\":\"insufficient_scope\"}")).isEqualTo("insufficient_scope");
    assertThat(HttpErrors.vendorMessage("Retry later\n")).isEqualTo("Retry later");
    assertThat(HttpErrors.vendorMessage("<html><body>Error 403</body></html>")).isEmpty();
    assertThat(HttpErrors.vendorMessage("x".repeat(500))).hasSizeLessThan(210);
    assertThat(HttpErrors.forStatus(WHO, "project grp/proj", 404, headers(), "{\"message\":\"404 Project Not Found\"}", NOW))
        .hasMessageEndingWith(": 404 Project Not Found");
  }

  @Test
  @DisplayName("a connection failure becomes Transient naming what was attempted; a CiException passes through")
  void asCiException() {
    CiException transientFailure = HttpErrors.asCiException(WHO, "project grp/proj", new IOException("Connection refused"));
    CiException.NotFound notFound = new CiException.NotFound("gone");

    assertThat(transientFailure).isInstanceOf(CiException.Transient.class)
        .hasMessageContaining("project grp/proj").hasMessageContaining("Connection refused");
    assertThat(HttpErrors.asCiException(WHO, "x", notFound)).isSameAs(notFound);
  }
}
