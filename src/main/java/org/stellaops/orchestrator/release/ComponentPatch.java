package org.stellaops.orchestrator.release;

import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.stellaops.orchestrator.platform.Change;
import org.stellaops.orchestrator.platform.Validator;

/**
 * A merge patch of a component. {@code name}, {@code imageRepository} and {@code defaultChannel} are
 * never cleared; a {@code null} {@code versioningStrategy} sets semver, a {@code null} {@code metadata}
 * empties it, and a cleared {@code autoRelease} is off (as is one sent with {@code enabled: false}).
 */
public record ComponentPatch(Change<String> name, Change<String> displayName, Change<String> imageRepository,
    Change<UUID> registryIntegrationId, Change<VersioningStrategy> versioningStrategy, Change<String> defaultChannel,
    Change<JsonObject> metadata, Change<JsonObject> autoRelease) {

  private static final Pattern NAME = Pattern.compile("[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?");
  private static final Pattern CHANNEL = Pattern.compile("[a-z0-9][a-z0-9._-]{0,31}");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^}]*)}");
  private static final Set<String> TEMPLATE_FIELDS = Set.of("component", "tag", "version");
  static final VersioningStrategy SEMVER = new VersioningStrategy("semver", null);

  /** One of {@link Versioning#STRATEGIES}, and the pattern picking the version out of a tag (null: the whole tag). */
  public record VersioningStrategy(String type, String tagPattern) {}

  /** The body of {@code PATCH /api/v1/components/{id}}; every bad field is reported in one 400. */
  public static ComponentPatch parse(JsonObject body) {
    Validator v = new Validator(body);
    for (String required : new String[] {"name", "imageRepository"}) {
      if (body.containsKey(required) && body.getValue(required) == null) {
        v.error(required, "cannot be cleared", "REQUIRED");
      }
    }
    ComponentPatch patch = read(v);
    v.throwIfInvalid();
    return patch;
  }

  /** The fields present in the body, every problem recorded in {@code v}; valid only once {@code v} is. */
  static ComponentPatch read(Validator v) {
    Change<String> name = ifNotNull(v, "name", () -> v.matching("name", v.optionalString("name", 64), NAME,
        "lower-case letters, digits, '.', '_' or '-' (at most 64), starting and ending with a letter or digit"));
    Change<String> imageRepository = ifNotNull(v, "imageRepository", () -> {
      String raw = v.optionalString("imageRepository", 255);
      String canonical = ImageRepositories.normalize(raw);
      if (raw != null && canonical == null) {
        v.error("imageRepository", "must be an image repository such as registry.example.com/myapp/api "
            + "(no tag or digest)", "INVALID_FORMAT");
      }
      return canonical;
    });
    Change<String> channel = ifNotNull(v, "defaultChannel", () -> v.matching("defaultChannel",
        v.optionalString("defaultChannel", 32), CHANNEL, "a channel name such as stable or beta"));
    return new ComponentPatch(name,
        v.change("displayName", () -> v.optionalString("displayName", 200)),
        imageRepository,
        v.change("registryIntegrationId", () -> v.optionalUuid("registryIntegrationId")),
        v.change("versioningStrategy", () -> strategy(v)).clearingTo(SEMVER),
        channel,
        v.change("metadata", () -> v.optionalStringMap("metadata", 64, 1000)).clearingTo(new JsonObject()),
        v.change("autoRelease", () -> autoRelease(v)));
  }

  /** Fields that a {@code null} leaves as they are. */
  private static <T> Change<T> ifNotNull(Validator v, String field, Supplier<T> read) {
    return v.has(field) ? Change.sent(read.get()) : Change.keep();
  }

  /** A strategy name, or {@code {type, tagPattern}}. */
  private static VersioningStrategy strategy(Validator v) {
    Object raw = v.optionalObjectValue("versioningStrategy");
    VersioningStrategy strategy = null;
    if (raw instanceof String s) {
      strategy = new VersioningStrategy(s, null);
    } else if (raw instanceof JsonObject o) {
      Validator nested = v.nested(o, "versioningStrategy");
      String type = nested.requiredString("type", 32);
      String tagPattern = nested.optionalString("tagPattern", 500);
      checkRegex(nested, "tagPattern", tagPattern);
      strategy = type == null ? null : new VersioningStrategy(type, tagPattern);
    } else if (raw != null) {
      v.error("versioningStrategy", "must be a strategy name or {type, tagPattern}", "INVALID_TYPE");
    }
    if (strategy != null && !Versioning.STRATEGIES.contains(strategy.type())) {
      v.error("versioningStrategy", "must be one of " + Versioning.STRATEGIES, "INVALID_VALUE");
    }
    return strategy;
  }

  /** {@code {enabled, tagPattern?, nameTemplate?}}; null (off) unless enabled. */
  private static JsonObject autoRelease(Validator v) {
    JsonObject raw = v.optionalObject("autoRelease");
    if (raw == null) {
      return null;
    }
    Validator a = v.nested(raw, "autoRelease");
    Boolean enabled = a.optionalBoolean("enabled");
    String tagPattern = a.optionalString("tagPattern", 500);
    checkRegex(a, "tagPattern", tagPattern);
    String template = a.optionalString("nameTemplate", 200);
    if (template != null) {
      Matcher m = PLACEHOLDER.matcher(template);
      while (m.find()) {
        if (!TEMPLATE_FIELDS.contains(m.group(1))) {
          a.error("nameTemplate", "unknown placeholder {" + m.group(1) + "}; use " + TEMPLATE_FIELDS, "INVALID_VALUE");
        }
      }
    }
    if (enabled == null || !enabled) {
      return null;
    }
    return new JsonObject()
        .put("enabled", true)
        .put("tagPattern", tagPattern)
        .put("nameTemplate", template == null ? ComponentService.DEFAULT_NAME_TEMPLATE : template);
  }

  private static void checkRegex(Validator v, String field, String regex) {
    if (regex == null) {
      return;
    }
    TagPatterns.problem(regex).ifPresent(problem -> v.error(field,
        "is not a valid RE2 regular expression (no backreferences or lookaround): " + problem, "INVALID_FORMAT"));
  }
}
