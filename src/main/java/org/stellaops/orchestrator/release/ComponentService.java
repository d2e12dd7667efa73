package org.stellaops.orchestrator.release;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.stellaops.orchestrator.auth.Principal;
import org.stellaops.orchestrator.platform.ApiException;
import org.stellaops.orchestrator.platform.Ids;
import org.stellaops.orchestrator.platform.Cursor;
import org.stellaops.orchestrator.platform.Page;
import org.stellaops.orchestrator.platform.Validator;

/** Use cases for components: create, list, read, patch, delete. */
public final class ComponentService {

  static final Pattern NAME = Pattern.compile("[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?");
  private static final Pattern CHANNEL = Pattern.compile("[a-z0-9][a-z0-9._-]{0,31}");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^}]*)}");
  static final Set<String> TEMPLATE_FIELDS = Set.of("component", "tag", "version");
  static final String DEFAULT_NAME_TEMPLATE = "{component}-{tag}";

  private final ComponentRepository repository;

  public ComponentService(ComponentRepository repository) {
    this.repository = repository;
  }

  public Future<Component> create(CreateComponent command, Principal caller) {
    CreateComponent.Versioning versioning = command.versioning();
    Component component = new Component(UUID.randomUUID(), command.name(), command.displayName(),
        command.image().repository(), command.image().registryIntegrationId(), versioning.strategy(),
        versioning.tagPattern(), versioning.defaultChannel(), command.metadata(), versioning.autoRelease(), null, null,
        caller.actor());
    return repository.insert(component).recover(e -> Future.failedFuture(uniqueConflict(e, component)));
  }

  public Future<Page<Component>> list(String cursor, String limit) {
    return repository.list(cursor == null ? null : Cursor.decode(ComponentRepository.CURSOR_LIST, cursor), Cursor.limit(limit));
  }

  public Future<Component> get(String id) {
    return repository.find(parseId(id)).map(found -> found.orElseThrow(() -> notFound(id)));
  }

  /** JSON merge-patch semantics: present fields replace, {@code null} clears an optional field. */
  public Future<Component> update(String id, JsonObject body) {
    return get(id).compose(current -> {
      Validator v = new Validator(body);
      for (String required : new String[] {"name", "imageRepository"}) {
        if (body.containsKey(required) && body.getValue(required) == null) {
          v.error(required, "cannot be cleared", "REQUIRED");
        }
      }
      Component patched = apply(current, body, v);
      v.throwIfInvalid();
      return repository.update(patched)
          .recover(e -> Future.failedFuture(uniqueConflict(e, patched)))
          .map(found -> found.orElseThrow(() -> notFound(id)));
    });
  }

  public Future<Void> delete(String id) {
    return repository.delete(parseId(id))
        .recover(e -> Future.failedFuture(Ids.foreignKeyViolation(e)
            ? ApiException.conflict("component " + id + " is referenced by releases; releases are immutable, "
                + "so the component cannot be deleted")
            : e))
        .map(deleted -> {
          if (!deleted) {
            throw notFound(id);
          }
          return null;
        });
  }

  /** Applies the fields present in {@code body} to {@code base}, recording every problem in {@code v}. */
  static Component apply(Component base, JsonObject body, Validator v) {
    String name = base.name();
    if (v.has("name")) {
      name = v.matching("name", v.optionalString("name", 64), NAME,
          "lower-case letters, digits, '.', '_' or '-' (at most 64), starting and ending with a letter or digit");
    }
    String displayName = body.containsKey("displayName") ? v.optionalString("displayName", 200) : base.displayName();
    String imageRepository = base.imageRepository();
    if (v.has("imageRepository")) {
      String raw = v.optionalString("imageRepository", 255);
      imageRepository = ImageRepositories.normalize(raw);
      if (raw != null && imageRepository == null) {
        v.error("imageRepository", "must be an image repository such as registry.example.com/myapp/api "
            + "(no tag or digest)", "INVALID_FORMAT");
      }
    }
    UUID registryIntegrationId = body.containsKey("registryIntegrationId")
        ? v.optionalUuid("registryIntegrationId") : base.registryIntegrationId();
    String strategy = base.versioningStrategy();
    String tagPattern = base.tagPattern();
    if (body.containsKey("versioningStrategy")) {
      Object raw = body.getValue("versioningStrategy");
      if (raw instanceof String s) {
        strategy = s;
        tagPattern = null;
      } else if (raw instanceof JsonObject o) {
        Validator nested = v.nested(o, "versioningStrategy");
        strategy = nested.requiredString("type", 32);
        tagPattern = nested.optionalString("tagPattern", 500);
        checkRegex(nested, "tagPattern", tagPattern);
      } else if (raw == null) {
        strategy = "semver";
        tagPattern = null;
      } else {
        v.error("versioningStrategy", "must be a strategy name or {type, tagPattern}", "INVALID_TYPE");
      }
      if (strategy != null && !Versioning.STRATEGIES.contains(strategy)) {
        v.error("versioningStrategy", "must be one of " + Versioning.STRATEGIES, "INVALID_VALUE");
      }
    }
    String defaultChannel = base.defaultChannel();
    if (v.has("defaultChannel")) {
      defaultChannel = v.matching("defaultChannel", v.optionalString("defaultChannel", 32), CHANNEL,
          "a channel name such as stable or beta");
    }
    JsonObject metadata = base.metadata();
    if (body.containsKey("metadata")) {
      JsonObject m = v.optionalStringMap("metadata", 64, 1000);
      metadata = m == null ? new JsonObject() : m;
    }
    JsonObject autoRelease = body.containsKey("autoRelease") ? autoRelease(body, v) : base.autoRelease();
    return new Component(base.id(), name, displayName, imageRepository, registryIntegrationId, strategy,
        tagPattern, defaultChannel, metadata, autoRelease, base.createdAt(), base.updatedAt(), base.createdBy());
  }

  /** {@code {enabled, tagPattern?, nameTemplate?}}; stored only while enabled. */
  private static JsonObject autoRelease(JsonObject body, Validator v) {
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
        .put("nameTemplate", template == null ? DEFAULT_NAME_TEMPLATE : template);
  }

  private static void checkRegex(Validator v, String field, String regex) {
    if (regex == null) {
      return;
    }
    TagPatterns.problem(regex).ifPresent(problem -> v.error(field,
        "is not a valid RE2 regular expression (no backreferences or lookaround): " + problem, "INVALID_FORMAT"));
  }

  private static Throwable uniqueConflict(Throwable e, Component c) {
    if (Ids.uniqueViolation(e)) {
      return Ids.uniqueViolation(e, "image_repository")
          ? ApiException.conflict("a component with imageRepository '" + c.imageRepository() + "' already exists")
          : ApiException.conflict("a component named '" + c.name() + "' already exists");
    }
    return e;
  }

  static UUID parseId(String id) {
    return Ids.uuidOr404(id, "component");
  }

  private static ApiException notFound(String id) {
    return ApiException.notFound("component " + id);
  }
}
