package org.stellaops.orchestrator.webhook;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.stellaops.orchestrator.platform.Events;
import org.stellaops.orchestrator.release.VersionRepository;

/**
 * The version-map writes of one inbox batch, made on the batch's transaction so that they commit
 * with the outcomes of the deliveries that caused them, or not at all.
 *
 * <p>Pushes are gathered and written together: one multi-row upsert for the batch
 * ({@link VersionRepository#recordAll}) instead of a transaction per delivery. A delete first
 * writes the pushes gathered before it, so the map meets the batch's events in their order. The
 * {@code registry.image.pushed} events go out only once the batch committed ({@link #publish}).
 */
final class VersionWrites {

  private final SqlConnection tx;
  private final VersionRepository versions;
  private final List<VersionRepository.Change> changes = new ArrayList<>();
  private final List<JsonObject> events = new ArrayList<>();
  private final List<JsonObject> written = new ArrayList<>();
  private int flushes;

  VersionWrites(SqlConnection tx, VersionRepository versions) {
    this.tx = tx;
    this.versions = versions;
  }

  /** Where the gathered writes stand, to {@link #dropSince} should the delivery being worked fail. */
  record Mark(int flushes, int size) {}

  /** Gathers a push; {@code event} is published, with {@code versionChanged}, after the commit. */
  void record(VersionRepository.Change change, JsonObject event) {
    changes.add(change);
    events.add(event);
  }

  Mark mark() {
    return new Mark(flushes, changes.size());
  }

  /**
   * Forgets the pushes gathered since {@code mark}: their delivery failed and is tried again
   * later. Writes made since (a delete in the same delivery) stay; every write is idempotent, so
   * the next attempt finds them done.
   */
  void dropSince(Mark mark) {
    int from = mark.flushes() == flushes ? mark.size() : 0;
    changes.subList(from, changes.size()).clear();
    events.subList(from, events.size()).clear();
  }

  /** Writes the gathered pushes on the batch's transaction. */
  Future<Void> flush() {
    if (changes.isEmpty()) {
      return Future.succeededFuture();
    }
    List<VersionRepository.Change> batch = List.copyOf(changes);
    List<JsonObject> batchEvents = List.copyOf(events);
    changes.clear();
    events.clear();
    flushes++;
    return versions.recordAll(tx, batch).map(changed -> {
      for (int i = 0; i < batchEvents.size(); i++) {
        written.add(batchEvents.get(i).put("versionChanged", changed.get(i)));
      }
      return null;
    });
  }

  /** Marks entries deleted, after the pushes gathered before the delete. */
  Future<Integer> markDeleted(UUID componentId, String tag, String digest) {
    return flush().compose(v -> versions.markDeleted(tx, componentId, tag, digest));
  }

  /** After the commit: announces every push written. */
  void publish(EventBus eventBus) {
    written.forEach(event -> eventBus.publish(Events.REGISTRY_IMAGE_PUSHED, event));
  }
}
