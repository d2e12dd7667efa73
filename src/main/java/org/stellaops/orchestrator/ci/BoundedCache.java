package org.stellaops.orchestrator.ci;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A small in-memory cache shared by the connectors of every event loop: at most {@code maxEntries} entries (the
 * least recently used goes first) and each one kept at most {@code ttl}. Guarantees only that an answer is never
 * older than {@code ttl}; a miss simply means asking the CI system again.
 */
public final class BoundedCache<K, V> {

  private record Entry<V>(V value, Instant expiresAt) {}

  private final int maxEntries;
  private final Duration ttl;
  private final Clock clock;
  private final LinkedHashMap<K, Entry<V>> entries;

  public BoundedCache(int maxEntries, Duration ttl, Clock clock) {
    this.maxEntries = maxEntries;
    this.ttl = ttl;
    this.clock = clock;
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, Entry<V>> eldest) {
        return size() > BoundedCache.this.maxEntries;
      }
    };
  }

  public synchronized Optional<V> get(K key) {
    Entry<V> entry = entries.get(key);
    if (entry == null) {
      return Optional.empty();
    }
    if (!clock.instant().isBefore(entry.expiresAt())) {
      entries.remove(key);
      return Optional.empty();
    }
    return Optional.of(entry.value());
  }

  public synchronized void remove(K key) {
    entries.remove(key);
  }

  public synchronized void put(K key, V value) {
    entries.put(key, new Entry<>(value, clock.instant().plus(ttl)));
  }
}
