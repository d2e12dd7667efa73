package org.stellaops.orchestrator.reporting;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.stellaops.orchestrator.egress.EgressPolicy;
import org.stellaops.orchestrator.platform.EventOutbox;
import org.stellaops.orchestrator.platform.Validator;

/** Subscribe {@code url} to the named events, signed with {@code secret} (at least 16 characters). */
public record CreateSubscription(String url, List<String> events, String secret) {

  private static final Pattern HTTP_URL = Pattern.compile("https?://\\S+");

  /**
   * The body of {@code POST /api/v1/event-subscriptions}; every bad field is reported in one 400, a URL the
   * egress policy denies among them.
   */
  public static CreateSubscription parse(JsonObject body, EgressPolicy egress) {
    Validator v = new Validator(body);
    String url = v.matching("url", v.requiredString("url", 2048), HTTP_URL, "an http(s) URL");
    egress.checkUrl(v, "url", url);
    List<String> events = v.optionalStringList("events", 20, 64);
    TreeSet<String> known = new TreeSet<>(EventOutbox.NAMES.values());
    if (events == null || events.isEmpty()) {
      v.error("events", "list at least one of " + known, "REQUIRED");
    } else {
      for (int i = 0; i < events.size(); i++) {
        if (!known.contains(events.get(i))) {
          v.error("events[" + i + "]", "unknown event; known: " + known, "UNKNOWN_EVENT");
        }
      }
    }
    String secret = v.requiredString("secret", 512);
    if (secret != null && secret.length() < 16) {
      v.error("secret", "must be at least 16 characters", "TOO_SHORT");
    }
    v.throwIfInvalid();
    return new CreateSubscription(url, events, secret);
  }
}
