package org.stellaops.orchestrator.release;

import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;
import org.stellaops.orchestrator.platform.Validator;

/** Point a component's {@code tag} at {@code digest}; {@code channel} null: the one the tag derives. */
public record RecordVersion(String tag, String digest, String channel) {

  private static final Pattern CHANNEL = Pattern.compile("[a-z0-9][a-z0-9._-]{0,31}");

  /** The body of {@code POST /api/v1/components/{id}/versions}; every bad field is reported in one 400. */
  public static RecordVersion parse(JsonObject body) {
    Validator v = new Validator(body);
    String tag = v.matching("tag", v.requiredString("tag", 128), Digests.TAG, Digests.TAG_EXPECTED);
    String digest = v.matching("digest", v.requiredString("digest", 71), Digests.SHA256, Digests.SHA256_EXPECTED);
    String channel = v.matching("channel", v.optionalString("channel", 32), CHANNEL, "a channel name such as stable");
    v.throwIfInvalid();
    return new RecordVersion(tag, digest, channel);
  }
}
