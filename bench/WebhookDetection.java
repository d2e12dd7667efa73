import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The driver of bench/webhook-detection: webhook-first detection time, i.e. from the gateway's
 * 202 to a GitLab pipeline hook until the wait it names has ended — ended by the poll of GitLab
 * the hook asked for, since a hook ends nothing by itself.
 *
 * <p>{@code java -cp <gateway classpath> bench/WebhookDetection.java <gatewayUrl> <adminToken> <N> <hooksPerSecond>
 * <vendorDelayMillis> [warmup=50]}: {@code warmup} more pipelines go first, through the same steps,
 * and are left out of the percentiles (a freshly started JVM compiles the path on them).
 *
 * <ol>
 *   <li>Starts a GitLab REST v4 stand-in on 127.0.0.1 (one event loop): {@code GET
 *       /api/v4/projects/:id/pipelines/:pid} answers pipeline JSON as documented at
 *       https://docs.gitlab.com/api/pipelines/#get-a-single-pipeline, {@code "running"} until the
 *       driver marks the pipeline finished, then {@code "success"} with {@code finished_at}; every
 *       answer is held {@code vendorDelayMillis} first (a slower CI API) and its time from request to
 *       response written is recorded.</li>
 *   <li>Creates a {@code ci.gitlab} integration polled once a day (the longest interval), so no
 *       scheduled poll can end a wait during the run, and watches pipelines 1..N (each watch's
 *       first poll reads "running").</li>
 *   <li>Sends one pipeline hook per pipeline, {@code hooksPerSecond} a second (open loop), each
 *       right after marking that pipeline finished at the fake, authenticated with
 *       {@code X-Gitlab-Token} (https://docs.gitlab.com/user/project/integrations/webhook_events/#pipeline-events),
 *       and notes when its 202 arrived.</li>
 *   <li>Reads every run's {@code completedAt} (PostgreSQL's clock; same machine) and prints detection
 *       = completedAt - 202 arrival, percentiles, beside the fake's answer time for the polls that
 *       said success.</li>
 * </ol>
 * Prints {@code key=value} lines for the shell script.
 */
public final class WebhookDetection {

  static final String TOKEN = "glpat-bench";
  static final String SECRET = "bench-hook-secret";
  static final Map<String, Instant> finishedAt = new ConcurrentHashMap<>();
  static final Map<String, Long> successAnswerNanos = new ConcurrentHashMap<>();
  static final List<Long> allAnswerNanos = Collections.synchronizedList(new ArrayList<>());
  static final AtomicInteger reads = new AtomicInteger();
  static long delayMillis;

  public static void main(String[] args) throws Exception {
    if (args.length < 5) {
      System.err.println("usage: WebhookDetection <gatewayUrl> <adminToken> <N> <hooksPerSecond> <vendorDelayMillis> "
          + "[warmup]");
      System.exit(2);
    }
    String gw = args[0];
    String admin = args[1];
    int n = Integer.parseInt(args[2]);
    double rate = Double.parseDouble(args[3]);
    delayMillis = Long.parseLong(args[4]);
    int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 50;
    int measured = n;
    n = n + warmup;

    Vertx vertx = Vertx.vertx();
    HttpServer fake = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1"))
        .requestHandler(req -> handle(vertx, req)).listen(0).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    String fakeUrl = "http://127.0.0.1:" + fake.actualPort();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    JsonObject created = call(http, post(gw + "/api/v1/integrations", admin, new JsonObject()
        .put("type", "ci.gitlab").put("name", "bench-hooks")
        .put("config", new JsonObject().put("endpoint", fakeUrl).put("pollIntervalSeconds", 86_400))
        .put("credentials", new JsonObject().put("token", TOKEN).put("webhookSecret", SECRET))));
    String integration = created.getJsonObject("data").getString("id");

    long t0 = System.nanoTime();
    Semaphore inFlight = new Semaphore(16);
    List<CompletableFuture<?>> watches = new ArrayList<>();
    for (int k = 1; k <= n; k++) {
      inFlight.acquire();
      watches.add(http.sendAsync(post(gw + "/api/v1/pipeline-runs/watch", admin, new JsonObject()
              .put("integrationId", integration).put("pipelineId", "bench/app").put("runId", k).put("timeout", 3600)),
              HttpResponse.BodyHandlers.ofString())
          .thenAccept(r -> {
            if (r.statusCode() != 201) {
              throw new IllegalStateException("watch answered " + r.statusCode() + ": " + r.body());
            }
          }).whenComplete((v, e) -> inFlight.release()));
    }
    CompletableFuture.allOf(watches.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
    // Each watch is polled once at once; wait for those reads (and a moment for their writes).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (reads.get() < n && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    Thread.sleep(1000);
    int firstReads = reads.get();
    allAnswerNanos.clear();
    System.err.printf("registered %d watches (%d warm-up) in %.1f s; %d first polls answered%n", n, warmup,
        (System.nanoTime() - t0) / 1e9, firstReads);

    Map<String, Instant> acked = new ConcurrentHashMap<>();
    List<CompletableFuture<?>> hooks = new ArrayList<>();
    long start = System.nanoTime();
    long gapNanos = (long) (1e9 / rate);
    for (int k = 1; k <= n; k++) {
      long due = start + (k - 1) * gapNanos;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      String pid = String.valueOf(k);
      finishedAt.put(pid, Instant.now());
      String body = new JsonObject().put("object_kind", "pipeline")
          .put("object_attributes", new JsonObject().put("id", k).put("status", "success").put("ref", "main")
              .put("sha", "a91957a858320c0e17f3a0eca7cfacbff50ea29a"))
          .put("project", new JsonObject().put("id", 42).put("path_with_namespace", "bench/app")).encode();
      HttpRequest hook = HttpRequest.newBuilder(URI.create(gw + "/api/v1/webhooks/ci/" + integration))
          .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
          .header("X-Gitlab-Event", "Pipeline Hook").header("X-Gitlab-Token", SECRET)
          .header("X-Gitlab-Event-UUID", UUID.randomUUID().toString())
          .POST(HttpRequest.BodyPublishers.ofString(body)).build();
      hooks.add(http.sendAsync(hook, HttpResponse.BodyHandlers.discarding()).thenAccept(r -> {
        Instant at = Instant.now();
        if (r.statusCode() != 202) {
          throw new IllegalStateException("hook answered " + r.statusCode());
        }
        acked.put(pid, at);
      }));
    }
    CompletableFuture.allOf(hooks.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    double sendSeconds = (System.nanoTime() - start) / 1e9;

    // Every run ended, read back with its completedAt (bounded wait).
    Map<String, JsonObject> ended = new ConcurrentHashMap<>();
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (ended.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(500);
      String cursor = null;
      do {
        JsonObject page = call(http, HttpRequest.newBuilder(URI.create(gw + "/api/v1/pipeline-runs?integrationId="
            + integration + "&status=success&limit=200" + (cursor == null ? "" : "&cursor=" + cursor)))
            .header("Authorization", "Bearer " + admin).GET().build());
        page.getJsonArray("data").forEach(o -> {
          JsonObject run = (JsonObject) o;
          ended.put(run.getString("pipelineRunId"), run);
        });
        JsonObject pagination = page.getJsonObject("meta").getJsonObject("pagination");
        cursor = pagination == null ? null : pagination.getString("nextCursor");
      } while (cursor != null);
    }

    List<Double> detection = new ArrayList<>();
    int byWebhook = 0;
    for (Map.Entry<String, JsonObject> e : ended.entrySet()) {
      Instant ack = acked.get(e.getKey());
      if (ack == null || Integer.parseInt(e.getKey()) <= warmup) {
        continue;
      }
      Instant completed = Instant.parse(e.getValue().getString("completedAt"));
      detection.add(Duration.between(ack, completed).toNanos() / 1e6);
      if ("webhook".equals(e.getValue().getString("completedBy"))) {
        byWebhook++;
      }
    }
    List<Double> answers = successAnswerNanos.entrySet().stream().filter(e -> Integer.parseInt(e.getKey()) > warmup)
        .map(e -> e.getValue() / 1e6).toList();
    List<Double> allAnswers;
    synchronized (allAnswerNanos) {
      allAnswers = allAnswerNanos.stream().map(v -> v / 1e6).toList();
    }
    System.out.println("n=" + n);
    System.out.println("warmup=" + warmup);
    System.out.println("measured=" + measured);
    System.out.println("completed=" + ended.size());
    System.out.println("completed_by_webhook=" + byWebhook);
    System.out.printf("hooks_sent_seconds=%.2f%n", sendSeconds);
    System.out.println("vendor_reads_first=" + firstReads);
    System.out.println("vendor_reads_total=" + reads.get());
    printPercentiles("detection", detection);
    printPercentiles("vendor_answer", answers);
    printPercentiles("vendor_answer_all", allAnswers);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    System.exit(0);
  }

  static void handle(Vertx vertx, HttpServerRequest req) {
    long arrived = System.nanoTime();
    if (!TOKEN.equals(req.getHeader("PRIVATE-TOKEN"))) {
      req.response().setStatusCode(401).end("{\"message\":\"401 Unauthorized\"}");
      return;
    }
    String[] parts = req.path().split("/");
    if (req.path().equals("/api/v4/user")) {
      req.response().putHeader("Content-Type", "application/json").end("{\"id\":1,\"username\":\"bench\"}");
      return;
    }
    if (parts.length != 7 || !"pipelines".equals(parts[5])) {
      req.response().setStatusCode(404).end("{\"message\":\"404 Not found\"}");
      return;
    }
    reads.incrementAndGet();
    String pid = parts[6];
    Runnable answer = () -> {
      Instant finished = finishedAt.get(pid);
      JsonObject pipeline = new JsonObject().put("id", Long.parseLong(pid)).put("iid", 1).put("project_id", 42)
          .put("sha", "a91957a858320c0e17f3a0eca7cfacbff50ea29a").put("ref", "main")
          .put("status", finished == null ? "running" : "success").put("source", "push")
          .put("web_url", "http://127.0.0.1/bench/app/-/pipelines/" + pid)
          .put("created_at", "2026-12-01T10:00:00.000Z").put("updated_at", Instant.now().toString())
          .put("finished_at", finished == null ? null : finished.toString());
      req.response().putHeader("Content-Type", "application/json").end(pipeline.encode()).onComplete(done -> {
        long took = System.nanoTime() - arrived;
        allAnswerNanos.add(took);
        if (finished != null) {
          successAnswerNanos.putIfAbsent(pid, took);
        }
      });
    };
    if (delayMillis > 0) {
      vertx.setTimer(delayMillis, t -> answer.run());
    } else {
      answer.run();
    }
  }

  static HttpRequest post(String url, String token, JsonObject body) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
  }

  static JsonObject call(HttpClient http, HttpRequest request) throws Exception {
    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException(request.uri().getPath() + " answered " + r.statusCode() + ": " + r.body());
    }
    return new JsonObject(r.body());
  }

  static void printPercentiles(String name, List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    System.out.println(name + "_count=" + sorted.size());
    for (String q : List.of("p50", "p90", "p99", "max")) {
      double p = switch (q) {
        case "p50" -> 0.50;
        case "p90" -> 0.90;
        case "p99" -> 0.99;
        default -> 1.0;
      };
      double v = sorted.isEmpty() ? Double.NaN
          : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
      System.out.printf("%s_%s=%.2f%n", name, q, v);
    }
  }
}
