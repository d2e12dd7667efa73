package org.stellaops.orchestrator.webhook;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.stellaops.orchestrator.platform.ApiException;
import org.stellaops.orchestrator.platform.GroupCommit;

/**
 * Stores the process's webhook deliveries with one {@link GroupCommit} on its own event loop:
 * every HTTP event loop hands its deliveries here, so one multi-row insert and one commit carry
 * the deliveries of all of them, and each is answered only after its row committed.
 *
 * <p>One writer per process rather than one per HTTP event loop: a commit costs PostgreSQL far
 * more than a row (its WAL flush and fsync, the statement round trip), and with a writer per
 * loop each commit carried only that loop's share of the waiting requests (docs/benchmarks.md).
 * The price is a hand-over between threads, made cheap by answering each batch with one task
 * per calling event loop, not one per delivery.
 *
 * <p>When the database falls behind and {@code maxQueued} deliveries wait for their commit, new
 * ones are refused with 503 and {@code Retry-After} instead of queueing without bound.
 */
public final class InboxWriter extends VerticleBase {

  static final int MAX_BATCH = 512;
  /**
   * Inserts in flight; the writer's pool has this many connections. A second insert starts only
   * when {@link #MIN_OVERLAP_BATCH} deliveries wait, so PostgreSQL executes one batch while it
   * flushes the other's commit, and batches stay large (32 instead of 16 made no difference in
   * bench/ingest; one in flight was no faster either: docs/benchmarks.md).
   */
  public static final int MAX_IN_FLIGHT = 2;
  static final int MIN_OVERLAP_BATCH = 16;
  static final long STOP_WAIT_MILLIS = 5000;

  private final Supplier<Pool> pools;
  private final int maxQueued;
  private final Runnable afterCommit;
  private final ConcurrentLinkedQueue<Pending> incoming = new ConcurrentLinkedQueue<>();
  private final AtomicInteger waiting = new AtomicInteger();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private volatile Context loop;
  private Promise<Void> drained;
  private Pool pool;
  private GroupCommit<Pending, DeliveryRepository.Stored> inserts;

  /** A delivery, the event loop that asked (null outside Vert.x) and the answer it waits for. */
  private record Pending(NewDelivery delivery, Context caller, Promise<DeliveryRepository.Stored> answer) {}

  /**
   * @param pools makes the writer's pool ({@link #MAX_IN_FLIGHT} connections); called in
   *     {@code start()}, so its connection lives on the writer's event loop
   * @param afterCommit runs on the writer's loop once per committed batch that stored at least
   *     one new delivery to process (it wakes the inbox processor: one message per commit)
   */
  public InboxWriter(Supplier<Pool> pools, int maxQueued, Runnable afterCommit) {
    this.pools = pools;
    this.maxQueued = maxQueued;
    this.afterCommit = afterCommit;
  }

  @Override
  public Future<?> start() {
    pool = pools.get();
    DeliveryRepository repository = new DeliveryRepository(pool);
    inserts = new GroupCommit<>(MAX_BATCH, MAX_IN_FLIGHT, MIN_OVERLAP_BATCH, batch -> repository
        .insertBatch(batch.stream().map(Pending::delivery).toList())
        .andThen(result -> answer(batch, result)));
    loop = context;
    return Future.succeededFuture();
  }

  /**
   * Undeployed after the HTTP verticles: waits (at most {@link #STOP_WAIT_MILLIS}) for the
   * deliveries already handed over to be committed and answered, then closes the pool.
   */
  @Override
  public Future<?> stop() {
    loop = null;
    drained = Promise.promise();
    if (waiting.get() == 0) {
      drained.complete();
    }
    long timer = vertx.setTimer(STOP_WAIT_MILLIS, id -> drained.tryComplete());
    return drained.future().eventually(() -> {
      vertx.cancelTimer(timer);
      return pool.close();
    });
  }

  /** Callable from any thread; the future completes on the caller's event loop. */
  public Future<DeliveryRepository.Stored> submit(NewDelivery delivery) {
    if (waiting.get() >= maxQueued) {
      return Future.failedFuture(ApiException.of(503, "BACKPRESSURE",
          "the inbox is behind; retry shortly").withRetryAfter(1));
    }
    Context writer = loop;
    if (writer == null) { // before start() or after stop(): the same answer as a full queue
      return Future.failedFuture(ApiException.of(503, "BACKPRESSURE",
          "the inbox is not taking deliveries right now; retry shortly").withRetryAfter(1));
    }
    Promise<DeliveryRepository.Stored> answer = Promise.promise();
    waiting.incrementAndGet();
    incoming.add(new Pending(delivery, Vertx.currentContext(), answer));
    if (drainScheduled.compareAndSet(false, true)) {
      writer.runOnContext(v -> drain());
    }
    return answer.future();
  }

  /** On the writer's loop: moves everything handed over so far into the group commit. */
  private void drain() {
    // Cleared before polling: a delivery added after the last poll schedules the next drain.
    drainScheduled.set(false);
    List<Pending> taken = new ArrayList<>();
    for (Pending p = incoming.poll(); p != null; p = incoming.poll()) {
      taken.add(p);
    }
    if (!taken.isEmpty()) {
      inserts.submitAll(taken);
    }
  }

  /** Answers a written batch: one task per calling event loop, which completes its deliveries. */
  private void answer(List<Pending> batch, AsyncResult<List<DeliveryRepository.Stored>> result) {
    waiting.addAndGet(-batch.size());
    Map<Context, List<Runnable>> byLoop = new IdentityHashMap<>();
    boolean wake = false;
    for (int i = 0; i < batch.size(); i++) {
      Pending p = batch.get(i);
      Runnable complete;
      if (result.succeeded()) {
        DeliveryRepository.Stored stored = result.result().get(i);
        wake |= !stored.duplicate() && Delivery.RECEIVED.equals(p.delivery().status());
        complete = () -> p.answer().complete(stored);
      } else {
        complete = () -> p.answer().fail(result.cause());
      }
      if (p.caller() == null) {
        complete.run();
      } else {
        byLoop.computeIfAbsent(p.caller(), c -> new ArrayList<>()).add(complete);
      }
    }
    byLoop.forEach((caller, completions) -> caller.runOnContext(v -> completions.forEach(Runnable::run)));
    if (wake) {
      afterCommit.run();
    }
    if (drained != null && waiting.get() == 0) {
      drained.tryComplete();
    }
  }
}
