package org.stellaops.orchestrator.platform;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives every request an id (the caller's {@code X-Request-Id} when it is sane, else a new
 * UUID), echoes it, and, with {@code http.accessLog} on, writes one access-log line per request.
 * The line holds the method, the path without its query string (query strings may carry webhook
 * secrets), status and duration — never headers or bodies, so no token can reach the log.
 * Switched off, a busy registry's deliveries cost no log line each; the request id stays.
 */
public final class RequestIds implements Handler<RoutingContext> {

  public static final String HEADER = "X-Request-Id";
  private static final String KEY = "requestId";
  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final Logger ACCESS = LoggerFactory.getLogger("access");

  private final boolean accessLog;

  public RequestIds(boolean accessLog) {
    this.accessLog = accessLog;
  }

  public static String of(RoutingContext ctx) {
    String id = ctx.get(KEY);
    return id != null ? id : "";
  }

  @Override
  public void handle(RoutingContext ctx) {
    String offered = ctx.request().getHeader(HEADER);
    // A time-ordered id from ThreadLocalRandom: request ids need to be unique, not unguessable,
    // and UUID.randomUUID() takes SecureRandom's lock on every request.
    String id = offered != null && SANE.matcher(offered).matches() ? offered : Ids.timeOrdered().toString();
    ctx.put(KEY, id);
    ctx.response().putHeader(HEADER, id);
    if (accessLog && ACCESS.isInfoEnabled()) {
      long started = System.nanoTime();
      ctx.addEndHandler(done -> {
        long micros = (System.nanoTime() - started) / 1000;
        ACCESS.info("{} {} {} {} {}ms", id, ctx.request().method(), ctx.request().path(),
            ctx.response().getStatusCode(), millis(micros));
      });
    }
    ctx.next();
  }

  /** Microseconds as milliseconds with one decimal ("12.3"), without String.format's parsing. */
  static String millis(long micros) {
    long tenths = (micros + 50) / 100;
    return (tenths / 10) + "." + (tenths % 10);
  }
}
