package org.stellaops.orchestrator.egress;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.impl.ClientPhase;
import io.vertx.ext.web.client.impl.HttpContext;
import io.vertx.ext.web.client.impl.WebClientInternal;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * The one outbound HTTP client, with the egress policy enforced on the address it connects to.
 *
 * <p>Before Vert.x opens a connection for a request (and for any redirect), the host is resolved
 * here, every address it resolves to is checked against {@link EgressPolicy}, and the request is
 * pinned to the first one with {@link RequestOptions#setServer}: the client connects to exactly
 * the address that was checked and never resolves the name again, so a DNS answer that changes
 * between check and connect (rebinding) cannot redirect it. The {@code Host} header, TLS SNI and
 * certificate verification keep using the URL's host. A denied request fails with
 * {@link EgressDeniedException} before any packet is sent. The database pool and the cluster do
 * not use this client and are not affected.
 *
 * <p>No request follows redirects: most carry a token, a password or a signature, and a 3xx
 * would hand them to a host nobody configured. Callers see the 3xx as the answer.
 */
public final class Egress {

  /** Name resolution, replaceable so tests can map names to addresses without DNS. */
  @FunctionalInterface
  public interface Resolver {
    Future<List<InetAddress>> resolve(String host);

    /** The JDK resolver (hosts file, DNS, its cache), on a worker thread so no event loop waits. */
    static Resolver system(Vertx vertx) {
      return host -> vertx.executeBlocking(() -> List.of(InetAddress.getAllByName(host)), false);
    }
  }

  private final EgressPolicy policy;
  private final Resolver resolver;

  public Egress(EgressPolicy policy, Resolver resolver) {
    this.policy = policy;
    this.resolver = resolver;
  }

  /**
   * The one client for every outgoing call: redirects are never followed, each request goes to an address the
   * policy allows, and each carries {@link UserAgent#value()}.
   */
  public WebClient webClient(Vertx vertx, PoolOptions poolOptions) {
    WebClientInternal client = (WebClientInternal) WebClient.create(vertx,
        new WebClientOptions().setFollowRedirects(false).setUserAgent(UserAgent.value()), poolOptions);
    client.addInterceptor(this::pinToCheckedAddress);
    return client;
  }

  private void pinToCheckedAddress(HttpContext<?> ctx) {
    if (ctx.phase() != ClientPhase.CREATE_REQUEST) {
      ctx.next();
      return;
    }
    RequestOptions options = ctx.requestOptions();
    String host = options.getHost();
    int port = options.getPort() != null ? options.getPort() : Boolean.TRUE.equals(options.isSsl()) ? 443 : 80;
    checkedAddress(host).onComplete(checked -> {
      if (checked.failed()) {
        ctx.fail(checked.cause());
        return;
      }
      options.setServer(SocketAddress.inetSocketAddress(port, checked.result().getHostAddress()));
      ctx.next();
    });
  }

  /** The address to connect to: the first {@code host} resolves to, when none of them is denied. */
  Future<InetAddress> checkedAddress(String host) {
    Optional<InetAddress> literal = Addresses.literal(host);
    Future<List<InetAddress>> resolved = literal.isPresent() ? Future.succeededFuture(List.of(literal.get()))
        : resolver.resolve(host);
    return resolved.map(addresses -> {
      if (addresses.isEmpty()) {
        throw new IllegalStateException(host + " resolves to no address");
      }
      for (InetAddress address : addresses) {
        Optional<String> kind = policy.denial(address);
        if (kind.isPresent()) {
          throw new EgressDeniedException(host, address, kind.get());
        }
      }
      return addresses.get(0);
    });
  }
}
