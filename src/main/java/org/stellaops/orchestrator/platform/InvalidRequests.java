package org.stellaops.orchestrator.platform;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers requests the HTTP decoder could not read, before any router sees them: a request
 * line longer than {@link #MAX_REQUEST_LINE_BYTES} is 414
 * {@code URI_TOO_LONG}, headers beyond {@link #MAX_HEADER_BYTES} are 431
 * {@code HEADERS_TOO_LARGE}, anything else unreadable (a control character in a header, a
 * garbled request line) is 400 {@code MALFORMED_REQUEST}. Each is answered in the error
 * envelope with a fresh request id, logged as one WARN line, and the connection is closed,
 * as Vert.x's own default handler does: the decoder cannot find where the next request starts.
 */
public final class InvalidRequests implements Handler<HttpServerRequest> {

  /** The longest request line (method, URL, version) read; Vert.x's default. */
  public static final int MAX_REQUEST_LINE_BYTES = 4096;
  /** The most header bytes read per request; Vert.x's default. */
  public static final int MAX_HEADER_BYTES = 8192;

  private static final Logger LOG = LoggerFactory.getLogger(InvalidRequests.class);

  @Override
  public void handle(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    ApiException error = classify(cause);
    String requestId = Ids.timeOrdered().toString();
    LOG.warn("request {} refused before routing: {} {} ({})", requestId, error.status(), error.code(),
        cause == null ? "no cause" : cause.getClass().getSimpleName());
    request.response()
        .setStatusCode(error.status())
        .putHeader(RequestIds.HEADER, requestId)
        .putHeader("Content-Type", "application/json")
        .putHeader("Connection", "close")
        .end(FailureHandler.envelope(error, requestId).encode())
        .onComplete(done -> request.connection().close());
  }

  static ApiException classify(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return ApiException.of(414, "URI_TOO_LONG", "the request line is longer than " + MAX_REQUEST_LINE_BYTES + " bytes");
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return ApiException.of(431, "HEADERS_TOO_LARGE", "the request headers are larger than " + MAX_HEADER_BYTES + " bytes");
    }
    return ApiException.of(400, "MALFORMED_REQUEST",
        "the request could not be parsed as HTTP (a control character in a header, or a malformed request line)");
  }
}
