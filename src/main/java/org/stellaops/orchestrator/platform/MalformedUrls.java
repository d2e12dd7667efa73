package org.stellaops.orchestrator.platform;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a URL that cannot be decoded (a {@code %} not followed by two hex digits) or that
 * decodes to a control character, before the router tries to match it: Vert.x Web would
 * otherwise fail inside route matching, outside every failure handler, and answer a bare 400
 * after logging an ERROR with a stack trace. The answer is the error envelope, 400
 * {@code MALFORMED_URL}; the log gets one WARN line without the URL itself (it may hold a secret).
 */
public final class MalformedUrls implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(MalformedUrls.class);

  @Override
  public void handle(RoutingContext ctx) {
    String problem = problem(ctx.request().uri());
    if (problem == null) {
      ctx.next();
      return;
    }
    LOG.warn("request {} {} refused: the URL {}", RequestIds.of(ctx), ctx.request().method(), problem);
    FailureHandler.respond(ctx, ApiException.of(400, "MALFORMED_URL", "the URL " + problem));
  }

  /** What is wrong with a raw request URI (path and query), or null when it decodes cleanly. Pure. */
  static String problem(String uri) {
    if (uri == null) {
      return null;
    }
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c == '%') {
        if (i + 2 >= uri.length() || hex(uri.charAt(i + 1)) < 0 || hex(uri.charAt(i + 2)) < 0) {
          return "has an invalid percent-escape: each % must be followed by two hexadecimal digits";
        }
        int decoded = hex(uri.charAt(i + 1)) * 16 + hex(uri.charAt(i + 2));
        if (decoded < 0x20 || decoded == 0x7f) {
          return "contains an escaped control character";
        }
        i += 2;
      } else if (c < 0x20 || c == 0x7f) {
        return "contains a control character";
      }
    }
    return null;
  }

  private static int hex(char c) {
    return Character.digit(c, 16);
  }
}
