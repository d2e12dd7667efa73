package org.stellaops.orchestrator.webhook;

import io.vertx.core.Future;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.stellaops.orchestrator.release.Component;
import org.stellaops.orchestrator.release.ComponentRepository;

/**
 * The components of a batch of deliveries, looked up with one query for the whole batch.
 *
 * <p>Why: a query per delivery cost more than anything else the inbox processor did for a push
 * of an image no component tracks (a round trip to PostgreSQL, each side woken once; on the
 * 2-core benchmark VM that was most of ~470 us of CPU a delivery, docs/benchmarks.md). A
 * component created while a batch is being worked is seen from the next batch on, as it would
 * be by a lookup that ran a moment before it was created.
 *
 * <p>Guaranteed: {@link #first} answers the component of the first candidate that has one,
 * whether the candidates were looked up with the batch or (when they were not, or the batch's
 * query failed) on their own.
 */
final class ComponentLookup {

  private final ComponentRepository components;
  private final Set<String> looked;
  private final Map<String, Component> byRepository;

  private ComponentLookup(ComponentRepository components, Set<String> looked, Map<String, Component> byRepository) {
    this.components = components;
    this.looked = looked;
    this.byRepository = byRepository;
  }

  /**
   * Looks up every repository at once. Never fails: if the query fails, each event looks up its
   * own candidates, so a failure is met (and retried) per delivery, as without batching.
   */
  static Future<ComponentLookup> load(ComponentRepository components, Collection<String> repositories) {
    ComponentLookup eachOnItsOwn = new ComponentLookup(components, Set.of(), Map.of());
    if (repositories.isEmpty()) {
      return Future.succeededFuture(eachOnItsOwn);
    }
    return components.findByImageRepositories(List.copyOf(repositories))
        .map(found -> new ComponentLookup(components, Set.copyOf(repositories), byRepository(found)))
        .otherwise(eachOnItsOwn);
  }

  /** The component of the first of {@code candidates} (in preference order) that has one. */
  Future<Optional<Component>> first(List<String> candidates) {
    if (looked.containsAll(candidates)) {
      return Future.succeededFuture(first(candidates, byRepository));
    }
    return components.findByImageRepositories(candidates).map(found -> first(candidates, byRepository(found)));
  }

  static Optional<Component> first(List<String> candidates, Map<String, Component> byRepository) {
    return candidates.stream().map(byRepository::get).filter(c -> c != null).findFirst();
  }

  private static Map<String, Component> byRepository(List<Component> found) {
    Map<String, Component> map = new HashMap<>();
    found.forEach(c -> map.put(c.imageRepository(), c));
    return map;
  }
}
