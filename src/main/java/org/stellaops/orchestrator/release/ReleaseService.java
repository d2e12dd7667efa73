package org.stellaops.orchestrator.release;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.UUID;
import java.util.stream.Collectors;
import org.stellaops.orchestrator.auth.CiIdentity;
import org.stellaops.orchestrator.auth.Principal;
import org.stellaops.orchestrator.citrust.ComponentAllowlist;
import org.stellaops.orchestrator.citrust.SourceBinding;
import org.stellaops.orchestrator.platform.ApiException;
import org.stellaops.orchestrator.platform.Cursor;
import org.stellaops.orchestrator.platform.EventOutbox;
import org.stellaops.orchestrator.platform.Events;
import org.stellaops.orchestrator.platform.InTransaction;
import org.stellaops.orchestrator.platform.Ids;
import org.stellaops.orchestrator.platform.Page;
import org.stellaops.orchestrator.platform.ValidationError;

/**
 * Creating and reading releases. A release pins every component to a digest at creation: a
 * component given by tag is resolved through the version map then, and never again.
 */
public final class ReleaseService {


  private final ReleaseRepository releases;
  private final ComponentRepository components;
  private final VersionRepository versions;
  private final EventBus eventBus;
  private final Counter releasesCreated;
  private final EventOutbox outbox;

  public ReleaseService(ReleaseRepository releases, ComponentRepository components, VersionRepository versions,
      EventBus eventBus, Counter releasesCreated, EventOutbox outbox) {
    this.releases = releases;
    this.components = components;
    this.versions = versions;
    this.eventBus = eventBus;
    this.releasesCreated = releasesCreated;
    this.outbox = outbox;
  }

  /**
   * Creates the release. A CI identity whose policy binds releases to its commit may release only
   * that commit: its {@code sourceRef} must name the token's repository and commit (403 otherwise,
   * see {@link SourceBinding}), and may pin only the components its policies allow (403
   * {@code COMPONENT_NOT_ALLOWED} naming the others, see {@link ComponentAllowlist}), checked
   * before anything is stored; the identity is recorded as {@code createdByIdentity}.
   */
  public Future<Release> create(CreateRelease request, Principal caller, String requestId) {
    JsonObject sourceRef = request.sourceRef() == null ? null : request.sourceRef().toJson();
    caller.ciIdentity().filter(CiIdentity::bindSourceRef)
        .flatMap(identity -> SourceBinding.refusal(identity, sourceRef))
        .ifPresent(refusal -> {
          throw ApiException.of(403, refusal.code(), refusal.message(), refusal.details());
        });
    JsonObject identity = caller.ciIdentity().map(CiIdentity::record).orElse(null);
    return resolve(request).map(pinned -> requireAllowed(caller, pinned))
        .compose(pinned -> releases.insert(new ReleaseRepository.NewRelease(
            request.name(), pinned, sourceRef, request.metadata(),
            new ReleaseRepository.Creator(caller.actor(), caller.id(), requestId, identity)), queueCreated()))
        .recover(e -> Future.failedFuture(isNameTaken(e)
            ? ApiException.conflict("a release named '" + request.name() + "' already exists")
            : e))
        .onSuccess(this::announce);
  }

  /** {@code pinned}, when the caller may pin each of its components; a 403 naming those it may not otherwise. */
  private static List<Release.Pinned> requireAllowed(Principal caller, List<Release.Pinned> pinned) {
    caller.ciIdentity().ifPresent(identity -> {
      List<UUID> refused = ComponentAllowlist.outside(identity.components(),
          pinned.stream().map(Release.Pinned::componentId).toList());
      if (!refused.isEmpty()) {
        throw ApiException.of(403, "COMPONENT_NOT_ALLOWED", "the CI trust policies that matched this token ("
            + identity.policy() + ") do not allow releasing component" + (refused.size() == 1 ? " " : "s ")
            + refused.stream().map(UUID::toString).collect(Collectors.joining(", ")),
            new JsonObject().put("componentIds", new JsonArray(refused.stream().map(UUID::toString).toList()))
                .put("policies", new JsonArray(identity.policies())));
      }
    });
    return pinned;
  }

  /**
   * Automatic releases (a component's {@code autoRelease}): when a pushed tag matches the
   * component's {@code autoRelease.tagPattern}, create the release named by its template, once
   * per component, tag and digest however often the push is delivered or replayed. If the name
   * is taken (the tag moved to a new digest), the digest's first 12 hex characters are appended.
   */
  public Future<Optional<Release>> createAutomatic(Component component, String tag, String digest, String semver,
      String actor) {
    JsonObject auto = component.autoRelease();
    if (auto == null || !auto.getBoolean("enabled", false)) {
      return Future.succeededFuture(Optional.empty());
    }
    String pattern = auto.getString("tagPattern");
    if (pattern != null && !TagPatterns.compiled(pattern).map(p -> p.matcher(tag).find()).orElse(false)) {
      return Future.succeededFuture(Optional.empty());
    }
    String name = autoReleaseName(auto.getString("nameTemplate", ComponentService.DEFAULT_NAME_TEMPLATE),
        component.name(), tag, semver);
    List<Release.Pinned> pinned = List.of(new Release.Pinned(component.id(), component.name(),
        component.imageRepository(), digest, tag, semver));
    JsonObject metadata = new JsonObject().put("triggeredBy", "auto-release");
    Function<String, Future<Optional<Release>>> attempt = n -> releases.insertAutomatic(component.id(), tag, digest,
        new ReleaseRepository.NewRelease(n, pinned, null, metadata,
            new ReleaseRepository.Creator(actor, null, null, null)), queueCreated());
    return attempt.apply(name)
        .recover(e -> isNameTaken(e) ? attempt.apply(name + "-" + digest.substring(7, 19)) : Future.failedFuture(e))
        .onSuccess(created -> created.ifPresent(this::announce));
  }

  /** Renders {component}, {tag} and {version} (the semver, else the tag). Pure. */
  static String autoReleaseName(String template, String component, String tag, String semver) {
    return template.replace("{component}", component).replace("{tag}", tag)
        .replace("{version}", semver != null ? semver : tag);
  }

  /** {@code release.created} for subscribers, queued in the release's own transaction. */
  private InTransaction<Release> queueCreated() {
    return (conn, release) -> outbox.enqueue(conn, List.of(new EventOutbox.Event(Events.RELEASE_CREATED,
        created(release))));
  }

  /** After the commit: wakes auto-promotion on every replica. */
  private void announce(Release release) {
    releasesCreated.increment();
    eventBus.publish(Events.RELEASE_CREATED, created(release));
  }

  private static JsonObject created(Release release) {
    return new JsonObject()
        .put("releaseId", release.id().toString())
        .put("name", release.name())
        .put("createdBy", release.createdBy());
  }

  private static boolean isNameTaken(Throwable e) {
    return Ids.uniqueViolation(e, "release_name");
  }

  /**
   * Finds each component (by id, or by name for convenience) and pins its digest. Unknown
   * components and tags are 422s naming each one; a digest given with a tag that the version
   * map knows must be that tag's current digest.
   */
  private Future<List<Release.Pinned>> resolve(CreateRelease request) {
    List<UUID> ids = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (CreateRelease.Entry e : request.entries()) {
      UUID id = asUuid(e.componentRef());
      if (id != null) {
        ids.add(id);
      } else {
        names.add(e.componentRef());
      }
    }
    return components.findByIdsOrNames(ids, names).compose(found -> {
      Map<String, Component> byRef = new HashMap<>();
      found.forEach(c -> {
        byRef.put(c.id().toString(), c);
        byRef.put(c.name(), c);
      });
      List<ValidationError> unknown = new ArrayList<>();
      for (CreateRelease.Entry e : request.entries()) {
        if (!byRef.containsKey(normalizeRef(e.componentRef()))) {
          unknown.add(new ValidationError("components[" + e.index() + "].componentId",
              "unknown component " + e.componentRef(), "UNKNOWN_COMPONENT"));
        }
      }
      if (!unknown.isEmpty()) {
        throw ApiException.unprocessable("UNKNOWN_COMPONENT", unknown.size() == 1
            ? unknown.get(0).message() : unknown.size() + " components are unknown", unknown);
      }
      List<UUID> tagComponents = new ArrayList<>();
      List<String> tags = new ArrayList<>();
      for (CreateRelease.Entry e : request.entries()) {
        if (e.tag() != null) {
          tagComponents.add(byRef.get(normalizeRef(e.componentRef())).id());
          tags.add(e.tag());
        }
      }
      Future<List<VersionEntry>> current = tags.isEmpty()
          ? Future.succeededFuture(List.of()) : versions.current(tagComponents, tags);
      return current.map(entries -> pin(request, byRef, entries));
    });
  }

  private static List<Release.Pinned> pin(CreateRelease request, Map<String, Component> byRef, List<VersionEntry> current) {
    Map<String, VersionEntry> byKey = new HashMap<>();
    current.forEach(e -> byKey.put(e.componentId() + "/" + e.tag(), e));
    List<ValidationError> problems = new ArrayList<>();
    List<Release.Pinned> pinned = new ArrayList<>();
    for (CreateRelease.Entry e : request.entries()) {
      Component c = byRef.get(normalizeRef(e.componentRef()));
      VersionEntry tagged = e.tag() == null ? null : byKey.get(c.id() + "/" + e.tag());
      String field = "components[" + e.index() + "]";
      if (e.digest() == null && tagged == null) {
        problems.add(new ValidationError(field + ".tag",
            "tag " + e.tag() + " of component " + c.name() + " is not in the version map", "UNKNOWN_TAG"));
        continue;
      }
      if (e.digest() != null && tagged != null && !tagged.digest().equals(e.digest())) {
        problems.add(new ValidationError(field + ".digest", "tag " + e.tag() + " of component " + c.name()
            + " points to " + tagged.digest() + ", not " + e.digest(), "TAG_DIGEST_MISMATCH"));
        continue;
      }
      String digest = e.digest() != null ? e.digest() : tagged.digest();
      String semver = tagged != null ? tagged.semver() : e.tag() == null ? null : c.derive(e.tag(), null).semver();
      pinned.add(new Release.Pinned(c.id(), c.name(), c.imageRepository(), digest, e.tag(), semver));
    }
    if (!problems.isEmpty()) {
      String code = problems.get(0).code();
      throw ApiException.unprocessable(code, problems.size() == 1
          ? problems.get(0).message() : problems.size() + " components cannot be pinned", problems);
    }
    return pinned;
  }

  public Future<Page<Release>> list(String componentId, String name, String createdAfter, String cursor,
      String limit) {
    List<ValidationError> errors = new ArrayList<>();
    UUID component = null;
    if (componentId != null) {
      component = asUuid(componentId);
      if (component == null) {
        errors.add(new ValidationError("componentId", "must be a UUID", "INVALID_FORMAT"));
      }
    }
    OffsetDateTime after = null;
    if (createdAfter != null) {
      try {
        after = OffsetDateTime.parse(createdAfter);
      } catch (DateTimeParseException e) {
        errors.add(new ValidationError("createdAfter", "must be an ISO-8601 timestamp such as 2026-01-31T00:00:00Z",
            "INVALID_FORMAT"));
      }
    }
    if (!errors.isEmpty()) {
      throw ApiException.validation(errors);
    }
    return releases.list(new ReleaseRepository.Filter(component, name, after),
        cursor == null ? null : Cursor.decode(ReleaseRepository.CURSOR_LIST, cursor), Cursor.limit(limit));
  }

  public Future<Release> get(String id) {
    UUID uuid = asUuid(id);
    if (uuid == null) {
      return Future.failedFuture(ApiException.notFound("release " + id));
    }
    return releases.find(uuid).map(found -> found.orElseThrow(() -> ApiException.notFound("release " + id)));
  }

  public Future<Release> getByName(String name) {
    return releases.findByName(name)
        .map(found -> found.orElseThrow(() -> ApiException.notFound("release named '" + name + "'")));
  }

  /** UUIDs are matched in canonical lower case; names as given. */
  private static String normalizeRef(String ref) {
    UUID id = asUuid(ref);
    return id != null ? id.toString() : ref;
  }

  private static UUID asUuid(String text) {
    return text != null && text.length() == 36 ? Ids.uuidOrNull(text) : null;
  }
}
