package org.stellaops.orchestrator.release;

import io.vertx.core.Future;
import java.util.UUID;
import org.stellaops.orchestrator.auth.Principal;
import org.stellaops.orchestrator.platform.ApiException;
import org.stellaops.orchestrator.platform.Ids;
import org.stellaops.orchestrator.platform.Cursor;
import org.stellaops.orchestrator.platform.Page;

/** Use cases for components: create, list, read, patch, delete. */
public final class ComponentService {

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

  /** Applies {@code patch} to the stored component: 404 when there is none, 409 when its name or image is taken. */
  public Future<Component> update(String id, ComponentPatch patch) {
    return get(id).compose(current -> {
      Component patched = apply(current, patch);
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

  /** {@code base} with the patch's changes; identity, timestamps and creator stay. Pure. */
  static Component apply(Component base, ComponentPatch patch) {
    ComponentPatch.VersioningStrategy strategy = patch.versioningStrategy()
        .applyTo(new ComponentPatch.VersioningStrategy(base.versioningStrategy(), base.tagPattern()));
    return new Component(base.id(), patch.name().applyTo(base.name()),
        patch.displayName().applyTo(base.displayName()), patch.imageRepository().applyTo(base.imageRepository()),
        patch.registryIntegrationId().applyTo(base.registryIntegrationId()), strategy.type(), strategy.tagPattern(),
        patch.defaultChannel().applyTo(base.defaultChannel()), patch.metadata().applyTo(base.metadata()),
        patch.autoRelease().applyTo(base.autoRelease()), base.createdAt(), base.updatedAt(), base.createdBy());
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
