package org.stellaops.orchestrator.support;

import io.vertx.core.Future;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.stellaops.orchestrator.egress.Egress;

/**
 * A name resolver for the gateway's outbound requests that answers from a table instead of DNS,
 * so tests can make a name resolve to a denied address without any packet leaving the machine.
 * A name given several answers returns them one lookup after another (the last one repeats),
 * which is how a rebinding DNS server behaves. Every lookup is recorded.
 */
public final class StubResolver implements Egress.Resolver {

  private final Map<String, Deque<List<InetAddress>>> answers = new ConcurrentHashMap<>();
  private final List<String> lookups = new CopyOnWriteArrayList<>();

  /** {@code name} resolves to {@code addresses} (IP literals). */
  public StubResolver map(String name, String... addresses) {
    answers.computeIfAbsent(name, n -> new ArrayDeque<>()).addLast(parse(addresses));
    return this;
  }

  @Override
  public synchronized Future<List<InetAddress>> resolve(String host) {
    lookups.add(host);
    Deque<List<InetAddress>> queue = answers.get(host);
    if (queue == null) {
      return Future.failedFuture(new UnknownHostException(host + " is not in the test's resolver table"));
    }
    return Future.succeededFuture(queue.size() > 1 ? queue.removeFirst() : queue.peekFirst());
  }

  /** How often {@code name} was looked up. */
  public long lookups(String name) {
    return lookups.stream().filter(name::equals).count();
  }

  private static List<InetAddress> parse(String... addresses) {
    try {
      InetAddress[] parsed = new InetAddress[addresses.length];
      for (int i = 0; i < addresses.length; i++) {
        // IP literals only: InetAddress.getByName does not look literals up.
        parsed[i] = InetAddress.getByName(addresses[i]);
      }
      return List.of(parsed);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
