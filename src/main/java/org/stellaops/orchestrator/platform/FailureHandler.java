package org.stellaops.orchestrator.platform;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place failures become responses, all in the error envelope
 * {@code {"success":false,"error":{code,message,details?,validationErrors?},"meta":{requestId}}}.
 * Anything not recognised is a bug: logged with the request id and answered 500 without internals.
 */
public final class FailureHandler implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(FailureHandler.class);

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.response().ended()) {
      return;
    }
    respond(ctx, classify(ctx));
  }

  /**
   * Answers {@code error} in the envelope, for handlers that must answer before routing can
   * go on (see {@link MalformedUrls}). Only a failure nobody anticipated (a 500) is logged with
   * its stack trace; an anticipated 5xx (a CI system down, the inbox full) is one WARN line.
   */
  public static void respond(RoutingContext ctx, ApiException error) {
    if (error.status() >= 500) {
      if (ctx.failure() instanceof ApiException) {
        LOG.warn("request {} {} {} answered {} {}: {}", RequestIds.of(ctx), ctx.request().method(),
            ctx.request().path(), error.status(), error.code(), error.getMessage());
      } else {
        LOG.error("request {} {} {} failed", RequestIds.of(ctx), ctx.request().method(), ctx.request().path(),
            ctx.failure());
      }
    }
    if (error.retryAfterSeconds() != null) {
      ctx.response().putHeader("Retry-After", String.valueOf(error.retryAfterSeconds()));
    }
    if (error.status() == 401) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
    }
    if (!ctx.request().isEnded()) {
      finishUnread(ctx);
    }
    Responses.send(ctx, error.status(), envelope(error, RequestIds.of(ctx)));
  }

  /**
   * A request refused before its body was read (it is paused, see {@code auth.Guard}). An
   * HTTP/1.x body is never read: the connection is closed once the answer is out, since it
   * cannot carry another request before that body. Without a body (or over HTTP/2, where each
   * request is its own stream) the request is resumed, so that its end arrives and the
   * connection stays usable.
   */
  private static void finishUnread(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    boolean http1 = request.version() != HttpVersion.HTTP_2;
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    boolean hasBody = request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null
        || (length != null && !length.trim().equals("0"));
    if (http1 && hasBody) {
      ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
      ctx.response().endHandler(v -> lingerThenClose(ctx.vertx(), request));
    } else {
      request.resume();
    }
  }

  /**
   * Closes the connection of an answered request whose body was not read, after draining (and
   * dropping) what the client still sends for at most {@link #LINGER_MILLIS} or
   * {@link #LINGER_BYTES}. Closing at once, with the client's bytes unread, makes the kernel reset
   * the connection, and a client still sending its body then loses the answer (a 413 or 401 it
   * should see). The bounds keep a slow or endless sender from holding the connection.
   */
  private static void lingerThenClose(io.vertx.core.Vertx vertx, HttpServerRequest request) {
    io.vertx.core.http.HttpConnection connection = request.connection();
    if (request.isEnded()) {
      connection.close();
      return;
    }
    long[] drained = {0};
    long timer = vertx.setTimer(LINGER_MILLIS, id -> connection.close());
    request.exceptionHandler(e -> { });
    request.endHandler(v -> {
      vertx.cancelTimer(timer);
      connection.close();
    });
    request.handler(chunk -> {
      drained[0] += chunk.length();
      if (drained[0] > LINGER_BYTES) {
        vertx.cancelTimer(timer);
        connection.close();
      }
    });
    request.resume();
  }

  static final long LINGER_MILLIS = 2_000;
  static final long LINGER_BYTES = 4L * 1024 * 1024;

  /** {@code {"success":false,"error":{…},"meta":{"requestId":…}}}. */
  public static JsonObject envelope(ApiException error, String requestId) {
    JsonObject body = new JsonObject()
        .put("code", error.code())
        .put("message", error.getMessage());
    if (error.details() != null) {
      body.put("details", error.details());
    }
    if (!error.validationErrors().isEmpty()) {
      JsonArray list = new JsonArray();
      error.validationErrors().forEach(v -> list.add(v.toJson()));
      body.put("validationErrors", list);
    }
    return new JsonObject()
        .put("success", false)
        .put("error", body)
        .put("meta", new JsonObject().put("requestId", requestId));
  }

  static ApiException classify(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ApiException api) {
      return api;
    }
    if (failure instanceof DecodeException) {
      return ApiException.of(400, "MALFORMED_JSON", "request body is not valid JSON");
    }
    if (Ids.uniqueViolation(failure)) {
      // A unique key raced us between the service's check and its insert.
      return ApiException.conflict("a resource with the same unique value already exists");
    }
    int status = failure instanceof HttpException http ? http.getStatusCode() : ctx.statusCode();
    return switch (status) {
      case 400 -> ApiException.badRequest("bad request");
      case 401 -> ApiException.unauthorized("missing or invalid bearer token");
      case 404 -> ApiException.of(404, "NOT_FOUND", "no route for " + ctx.request().method() + " "
          + ctx.request().path());
      case 405 -> ApiException.of(405, "METHOD_NOT_ALLOWED", ctx.request().method() + " is not allowed on "
          + ctx.request().path());
      case 413 -> ApiException.of(413, "PAYLOAD_TOO_LARGE", "request body exceeds the configured limit");
      case 415 -> ApiException.of(415, "UNSUPPORTED_MEDIA_TYPE", "send the body as application/json");
      default -> ApiException.of(500, "INTERNAL_ERROR",
          "unexpected error; quote request id " + RequestIds.of(ctx) + " when reporting it");
    };
  }
}
