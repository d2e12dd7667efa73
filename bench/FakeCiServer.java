import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The CI side of bench/poll-scale, in three modes (one file, run with the gateway's classpath:
 * {@code java -cp "$(cat target/classpath.txt)" bench/FakeCiServer.java ...}).
 *
 * <p><b>Server</b> ({@code <port> <N> <durationSeconds> [minFinishSeconds=30] [seed=42]}): a GitLab REST v4
 * stand-in on 127.0.0.1 (one verticle per core; port 0 picks a free one, printed as "listening on port N").
 * Pipelines 1..N exist. Pipeline k's finish offset is uniform in [minFinish, minFinish + duration] seconds,
 * drawn at start-up from the seed; the clock starts at {@code POST /arm} (the benchmark arms it once every
 * wait is registered), so pipeline k reads "running" until armedAt + offset(k) and "success" after.
 * <ul>
 *   <li>{@code GET /api/v4/projects/:id/pipelines/:pid} → 200 pipeline JSON ({@code id, iid, project_id, sha,
 *       ref, status, source, web_url, created_at, updated_at, started_at, finished_at, duration}) with a weak
 *       {@code ETag}; a matching {@code If-None-Match} gets 304 (set FAKE_CI_ETAG=0 to never send ETags).
 *       Unknown pids get 404. Any PRIVATE-TOKEN is accepted.</li>
 *   <li>{@code GET /api/v4/user} → 200 {@code {"id":1,"username":"bench"}}.</li>
 *   <li>{@code POST /arm} → starts the finish clock (once); answers {@code {"armedAt": epochMillis}}.</li>
 *   <li>{@code GET /stats} → JSON: now, armedAt, pipelineRequests, notModified, fullRunning (200s saying
 *       "running"), successServed, otherRequests,
 *       finished (pids past their finish time), connections open/max/opened.</li>
 *   <li>{@code GET /finish-times} → CSV {@code pid,finishEpochMillis,requests,successServed,firstSuccessMillis}
 *       (finish and first-success are 0 before arming / before the gateway saw the success).</li>
 *   <li>{@code GET /rate} → CSV {@code epochSecond,pipelineRequests} for every second with requests.</li>
 * </ul>
 *
 * <p><b>register</b> ({@code register <gatewayUrl> <adminToken> <integrationId> <N> [concurrency=64]}): POSTs
 * {@code /api/v1/pipeline-runs/watch} for runId 1..N with that many requests in flight (retrying transient
 * failures up to 5 times); prints progress to stderr and a final line
 * {@code REGISTERED ok=.. failed=.. seconds=.. rate=..}.
 *
 * <p><b>analyze</b> ({@code analyze <finish.csv> <runs.csv> <intervalSeconds>}): joins the fake's finish times
 * and request counts with the gateway's pipeline_run rows ({@code vendor_run_id,created_ms,completed_ms,status,
 * completed_by,polls}) and prints {@code key=value} lines: detection delay percentiles, its two parts (until the
 * gateway's first request that saw the success; from that request to completed_at), and requests per wait per
 * interval per run.
 */
public final class FakeCiServer {

  // ---- server state, shared by all verticle instances of this JVM ----
  static int n;
  static long[] offsetMillis;                 // index pid (1..n)
  static final AtomicLong armedAt = new AtomicLong();
  static AtomicIntegerArray requests;          // pipeline GETs per pid
  static AtomicIntegerArray successServed;     // answers (200 or 304) that said "success"
  static AtomicLongArray firstSuccess;         // epoch ms of the first such answer
  static final AtomicLong pipelineRequests = new AtomicLong();
  static final AtomicLong notModified = new AtomicLong();
  /** 200 answers saying "running": the gateway's stored ETag was stale or absent, so it writes what it saw. */
  static final AtomicLong fullRunning = new AtomicLong();
  static final AtomicLong otherRequests = new AtomicLong();
  static final AtomicInteger openConnections = new AtomicInteger();
  static final AtomicInteger maxConnections = new AtomicInteger();
  static final AtomicInteger openedConnections = new AtomicInteger();
  static final int RATE_SECONDS = 4 * 3600;
  static final AtomicIntegerArray perSecond = new AtomicIntegerArray(RATE_SECONDS);
  static long startSecond;
  static boolean etags = !"0".equals(System.getenv("FAKE_CI_ETAG"));

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      usage();
    }
    switch (args[0]) {
      case "register" -> register(args);
      case "analyze" -> analyze(args);
      default -> server(args);
    }
  }

  static void usage() {
    System.err.println("usage: FakeCiServer <port> <N> <durationSeconds> [minFinishSeconds] [seed]\n"
        + "       FakeCiServer register <gatewayUrl> <adminToken> <integrationId> <N> [concurrency]\n"
        + "       FakeCiServer analyze <finish.csv> <runs.csv> <intervalSeconds>");
    System.exit(2);
  }

  // =============================================================================================
  // Server
  // =============================================================================================

  static void server(String[] args) {
    if (args.length < 3) {
      usage();
    }
    int port = Integer.parseInt(args[0]);
    n = Integer.parseInt(args[1]);
    int duration = Integer.parseInt(args[2]);
    int minFinish = args.length > 3 ? Integer.parseInt(args[3]) : 30;
    long seed = args.length > 4 ? Long.parseLong(args[4]) : 42L;
    Random random = new Random(seed);
    offsetMillis = new long[n + 1];
    for (int k = 1; k <= n; k++) {
      offsetMillis[k] = minFinish * 1000L + (long) (random.nextDouble() * duration * 1000L);
    }
    requests = new AtomicIntegerArray(n + 1);
    successServed = new AtomicIntegerArray(n + 1);
    firstSuccess = new AtomicLongArray(n + 1);
    startSecond = System.currentTimeMillis() / 1000;

    int instances = Runtime.getRuntime().availableProcessors();
    int bindPort = port == 0 ? -1 : port; // negative: one free port shared by all instances
    AtomicInteger actualPort = new AtomicInteger();
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(() -> new VerticleBase() {
          @Override
          public Future<?> start() {
            return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(bindPort))
                .connectionHandler(conn -> {
                  openedConnections.incrementAndGet();
                  int open = openConnections.incrementAndGet();
                  maxConnections.accumulateAndGet(open, Math::max);
                  conn.closeHandler(v -> openConnections.decrementAndGet());
                })
                .requestHandler(FakeCiServer::handle)
                .listen()
                .onSuccess(server -> actualPort.set(server.actualPort()));
          }
        }, new DeploymentOptions().setInstances(instances))
        .onSuccess(id -> System.out.println("listening on port " + actualPort.get() + " with " + instances
            + " instances; " + n + " pipelines finishing " + minFinish + ".." + (minFinish + duration)
            + " s after POST /arm; etags " + (etags ? "on" : "off")))
        .onFailure(e -> {
          System.err.println("fake CI server failed to start: " + e);
          System.exit(1);
        });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        vertx.close().await();
      } catch (Exception ignored) {
        // exiting anyway
      }
    }));
  }

  static void handle(HttpServerRequest req) {
    String path = req.path();
    int at = path.indexOf("/pipelines/");
    if (at > 0 && path.startsWith("/api/v4/projects/")) {
      pipeline(req, path, at);
      return;
    }
    otherRequests.incrementAndGet();
    switch (path) {
      case "/api/v4/user" -> json(req, 200, "{\"id\":1,\"username\":\"bench\",\"name\":\"Bench\",\"state\":\"active\"}");
      case "/arm" -> {
        armedAt.compareAndSet(0, System.currentTimeMillis());
        json(req, 200, "{\"armedAt\":" + armedAt.get() + "}");
      }
      case "/stats" -> json(req, 200, stats().encode());
      case "/finish-times" -> csv(req, finishTimes());
      case "/rate" -> csv(req, rate());
      default -> json(req, 404, "{\"message\":\"404 Not found\"}");
    }
  }

  static void pipeline(HttpServerRequest req, String path, int at) {
    long now = System.currentTimeMillis();
    pipelineRequests.incrementAndGet();
    int second = (int) (now / 1000 - startSecond);
    if (second >= 0 && second < RATE_SECONDS) {
      perSecond.incrementAndGet(second);
    }
    int pid;
    try {
      pid = Integer.parseInt(path.substring(at + "/pipelines/".length()));
    } catch (NumberFormatException e) {
      pid = -1;
    }
    if (pid < 1 || pid > n) {
      json(req, 404, "{\"message\":\"404 Not found\"}");
      return;
    }
    requests.incrementAndGet(pid);
    long armed = armedAt.get();
    long finish = armed == 0 ? 0 : armed + offsetMillis[pid];
    boolean done = armed != 0 && now >= finish;
    String status = done ? "success" : "running";
    if (done) {
      successServed.incrementAndGet(pid);
      firstSuccess.compareAndSet(pid, 0, now);
    }
    String etag = "W/\"" + pid + "-" + status + "\"";
    if (etags && etag.equals(req.getHeader("If-None-Match"))) {
      notModified.incrementAndGet();
      req.response().setStatusCode(304).putHeader("ETag", etag).end();
      return;
    }
    String project = path.substring("/api/v4/projects/".length(), at);
    String finished = done ? "\"" + java.time.Instant.ofEpochMilli(finish) + "\"" : "null";
    String body = "{\"id\":" + pid + ",\"iid\":" + pid + ",\"project_id\":42,"
        + "\"sha\":\"a91957a858320c0e17f3a0eca7cfacbff50ea29a\",\"ref\":\"main\",\"status\":\"" + status + "\","
        + "\"source\":\"push\",\"web_url\":\"http://127.0.0.1/" + project + "/-/pipelines/" + pid + "\","
        + "\"created_at\":\"2026-11-27T10:00:00.000Z\",\"updated_at\":\"2026-11-27T10:00:01.000Z\","
        + "\"started_at\":\"2026-11-27T10:00:01.000Z\",\"finished_at\":" + finished + ","
        + "\"duration\":" + (done ? offsetMillis[pid] / 1000 : "null") + "}";
    if (!done) {
      fullRunning.incrementAndGet();
    }
    var response = req.response().setStatusCode(200).putHeader("Content-Type", "application/json");
    if (etags) {
      response.putHeader("ETag", etag);
    }
    response.end(body);
  }

  static JsonObject stats() {
    long armed = armedAt.get();
    long now = System.currentTimeMillis();
    int finished = 0;
    if (armed != 0) {
      for (int k = 1; k <= n; k++) {
        if (armed + offsetMillis[k] <= now) {
          finished++;
        }
      }
    }
    long success = 0;
    for (int k = 1; k <= n; k++) {
      success += successServed.get(k);
    }
    return new JsonObject().put("now", now).put("armedAt", armed).put("pipelines", n)
        .put("pipelineRequests", pipelineRequests.get()).put("notModified", notModified.get())
        .put("fullRunning", fullRunning.get()).put("successServed", success).put("otherRequests", otherRequests.get()).put("finished", finished)
        .put("connectionsOpen", openConnections.get()).put("connectionsMax", maxConnections.get())
        .put("connectionsOpened", openedConnections.get());
  }

  static String finishTimes() {
    long armed = armedAt.get();
    StringBuilder out = new StringBuilder(n * 40).append("pid,finishEpochMillis,requests,successServed,firstSuccessMillis\n");
    for (int k = 1; k <= n; k++) {
      out.append(k).append(',').append(armed == 0 ? 0 : armed + offsetMillis[k]).append(',')
          .append(requests.get(k)).append(',').append(successServed.get(k)).append(',')
          .append(firstSuccess.get(k)).append('\n');
    }
    return out.toString();
  }

  static String rate() {
    StringBuilder out = new StringBuilder("epochSecond,pipelineRequests\n");
    for (int s = 0; s < RATE_SECONDS; s++) {
      int count = perSecond.get(s);
      if (count > 0) {
        out.append(startSecond + s).append(',').append(count).append('\n');
      }
    }
    return out.toString();
  }

  static void json(HttpServerRequest req, int status, String body) {
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
  }

  static void csv(HttpServerRequest req, String body) {
    req.response().setStatusCode(200).putHeader("Content-Type", "text/csv").end(body);
  }

  // =============================================================================================
  // register: N watches over HTTP with bounded concurrency
  // =============================================================================================

  static void register(String[] args) throws Exception {
    if (args.length < 5) {
      usage();
    }
    String base = args[1].replaceAll("/+$", "");
    String token = args[2];
    String integrationId = args[3];
    int total = Integer.parseInt(args[4]);
    int concurrency = args.length > 5 ? Integer.parseInt(args[5]) : 64;
    Vertx vertx = Vertx.vertx();
    WebClient client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setConnectTimeout(10_000),
        new PoolOptions().setHttp1MaxSize(concurrency));
    AtomicInteger next = new AtomicInteger(1);
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger retries = new AtomicInteger();
    AtomicInteger running = new AtomicInteger(concurrency);
    CompletableFuture<Void> done = new CompletableFuture<>();
    long start = System.nanoTime();
    String url = base + "/api/v1/pipeline-runs/watch";

    class Worker {
      void sendNext() {
        int k = next.getAndIncrement();
        if (k > total) {
          if (running.decrementAndGet() == 0) {
            done.complete(null);
          }
          return;
        }
        send(k, 0);
      }

      void send(int k, int attempt) {
        JsonObject body = new JsonObject().put("integrationId", integrationId).put("pipelineId", "bench/app")
            .put("runId", k).put("timeout", 3600);
        client.postAbs(url).putHeader("Authorization", "Bearer " + token).timeout(30_000)
            .sendJsonObject(body)
            .onComplete(ar -> {
              int status = ar.succeeded() ? ar.result().statusCode() : -1;
              if (status >= 200 && status < 300) {
                ok.incrementAndGet();
                sendNext();
                return;
              }
              boolean transient_ = status == -1 || status == 429 || status >= 500;
              if (transient_ && attempt < 5) {
                retries.incrementAndGet();
                vertx.setTimer(200L * (attempt + 1), t -> send(k, attempt + 1));
                return;
              }
              if (failed.incrementAndGet() <= 5) {
                System.err.println("register: runId " + k + " failed: "
                    + (ar.succeeded() ? status + " " + ar.result().bodyAsString() : String.valueOf(ar.cause())));
              }
              sendNext();
            });
      }
    }

    long progressTimer = vertx.setPeriodic(5000, t -> {
      double secs = (System.nanoTime() - start) / 1e9;
      System.err.printf(Locale.ROOT, "register: %d/%d in %.0f s (%.0f/s)%n", ok.get(), total, secs, ok.get() / secs);
    });
    vertx.runOnContext(v -> {
      for (int i = 0; i < concurrency; i++) {
        new Worker().sendNext();
      }
    });
    done.get(2, TimeUnit.HOURS);
    vertx.cancelTimer(progressTimer);
    double secs = (System.nanoTime() - start) / 1e9;
    System.out.printf(Locale.ROOT, "REGISTERED ok=%d failed=%d retries=%d seconds=%.1f rate=%.0f%n", ok.get(),
        failed.get(), retries.get(), secs, ok.get() / secs);
    vertx.close().await();
    System.exit(failed.get() == 0 ? 0 : 1);
  }

  // =============================================================================================
  // analyze: join finish times with the gateway's rows
  // =============================================================================================

  static void analyze(String[] args) throws IOException {
    if (args.length < 4) {
      usage();
    }
    double interval = Double.parseDouble(args[3]);
    TreeMap<Integer, long[]> fake = new TreeMap<>(); // pid -> finish, requests, successServed, firstSuccess
    try (BufferedReader in = Files.newBufferedReader(Path.of(args[1]))) {
      in.readLine();
      for (String line; (line = in.readLine()) != null; ) {
        String[] f = line.split(",");
        if (f.length >= 5) {
          fake.put(Integer.parseInt(f[0]), new long[] {Long.parseLong(f[1]), Long.parseLong(f[2]),
              Long.parseLong(f[3]), Long.parseLong(f[4])});
        }
      }
    }
    List<Double> delay = new ArrayList<>();
    List<Double> pollLag = new ArrayList<>();
    List<Double> commitLag = new ArrayList<>();
    List<Double> rpi = new ArrayList<>();
    List<Double> rpiSteady = new ArrayList<>();
    List<Double> afterFinish = new ArrayList<>();
    TreeMap<String, Integer> outcomes = new TreeMap<>();
    int rows = 0;
    int active = 0;
    int unknown = 0;
    int early = 0;
    long pollsClaimed = 0;
    long requestsTotal = 0;
    try (BufferedReader in = Files.newBufferedReader(Path.of(args[2]))) {
      for (String line; (line = in.readLine()) != null; ) {
        String[] f = line.split(",", -1);
        if (f.length < 6 || f[0].isEmpty()) {
          continue;
        }
        rows++;
        int pid;
        try {
          pid = Integer.parseInt(f[0]);
        } catch (NumberFormatException e) {
          unknown++;
          continue;
        }
        long[] k = fake.get(pid);
        if (k == null) {
          unknown++;
          continue;
        }
        long created = Long.parseLong(f[1]);
        String status = f[3];
        outcomes.merge(status + "/" + f[4], 1, Integer::sum);
        pollsClaimed += Long.parseLong(f[5]);
        requestsTotal += k[1];
        if (f[2].isEmpty()) {
          active++;
          continue;
        }
        long completed = Long.parseLong(f[2]);
        double d = (completed - k[0]) / 1000.0;
        if (d < 0) {
          early++;
        }
        delay.add(d);
        if (k[3] > 0) {
          pollLag.add((k[3] - k[0]) / 1000.0);
          commitLag.add((completed - k[3]) / 1000.0);
        }
        afterFinish.add((double) k[2]);
        double intervals = (completed - created) / 1000.0 / interval;
        if (intervals > 0) {
          rpi.add(k[1] / intervals);
          rpiSteady.add((k[1] - 1) / intervals);
        }
      }
    }
    System.out.println("rows=" + rows);
    System.out.println("completed=" + delay.size());
    System.out.println("still_active=" + active);
    System.out.println("unknown_rows=" + unknown);
    System.out.println("completed_before_finish=" + early);
    System.out.println("outcomes=" + outcomes.toString().replace(" ", ""));
    System.out.println("polls_claimed_total=" + pollsClaimed);
    System.out.println("ci_requests_total=" + requestsTotal);
    print("delay", delay);
    print("poll_lag", pollLag);
    print("commit_lag", commitLag);
    print("rpi", rpi);
    print("rpi_steady", rpiSteady);
    print("success_answers", afterFinish);
    long extra = afterFinish.stream().filter(x -> x > 1).count();
    System.out.println("runs_with_more_than_one_success_answer=" + extra);
  }

  static void print(String name, List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    double mean = v.length == 0 ? 0 : Arrays.stream(v).sum() / v.length;
    System.out.printf(Locale.ROOT, "%s_n=%d%n%s_mean=%.3f%n%s_min=%.3f%n%s_p50=%.3f%n%s_p90=%.3f%n%s_p99=%.3f%n"
            + "%s_max=%.3f%n", name, v.length, name, mean, name, pct(v, 0), name, pct(v, 0.5), name, pct(v, 0.9),
        name, pct(v, 0.99), name, pct(v, 1.0));
  }

  static double pct(double[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    if (p <= 0) {
      return sorted[0];
    }
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private FakeCiServer() {}
}
