package org.stellaops.orchestrator.release;

import io.vertx.core.Future;
import java.util.List;
import org.stellaops.orchestrator.auth.Principal;
import org.stellaops.orchestrator.platform.ApiException;
import org.stellaops.orchestrator.platform.Cursor;
import org.stellaops.orchestrator.platform.Page;

/** Reading a component's version map and pointing tags at digests. */
public final class VersionMapService {

  private final ComponentService components;
  private final VersionRepository versions;

  public VersionMapService(ComponentService components, VersionRepository versions) {
    this.components = components;
    this.versions = versions;
  }

  /** A manual entry; the answer says whether the map changed. */
  public Future<VersionRepository.Recorded> recordManual(String componentId, RecordVersion command,
      Principal caller) {
    return components.get(componentId).compose(component -> record(component, command.tag(), command.digest(),
        command.channel(), VersionEntry.SOURCE_MANUAL, caller.actor()));
  }

  /** Points a tag at a digest for any source (manual, api, webhook). */
  public Future<VersionRepository.Recorded> record(Component component, String tag, String digest, String channel,
      String source, String actor) {
    return versions.record(component.id(), tag, digest, component.derive(tag, channel), source, actor);
  }

  public Future<Page<VersionEntry>> list(String componentId, String tag, String channel, String cursor,
      String limit) {
    Cursor after = cursor == null ? null : Cursor.decode(VersionRepository.CURSOR_LIST, cursor);
    int size = Cursor.limit(limit);
    return components.get(componentId).compose(c -> versions.list(c.id(), tag, channel, after, size));
  }

  public Future<List<VersionEntry.Move>> history(String componentId, String tag) {
    return components.get(componentId).compose(c -> versions.history(c.id(), tag)).map(moves -> {
      if (moves.isEmpty()) {
        throw ApiException.notFound("tag " + tag + " of component " + componentId);
      }
      return moves;
    });
  }
}
