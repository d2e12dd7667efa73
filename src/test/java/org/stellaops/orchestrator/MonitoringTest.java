package org.stellaops.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.support.TestGateway;
import org.stellaops.orchestrator.support.TestGateway.Resp;
import org.stellaops.orchestrator.support.Webhooks;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The monitoring shipped in k8s/monitoring against the gateway it watches: the real gateway's
 * /metrics after a small workload passes {@code promtool check metrics}; the PrometheusRule's
 * rules pass {@code promtool check rules} and their unit tests ({@code promtool test rules}),
 * which fire every alert; and the dashboard's and rules' queries name only metrics the gateway
 * exports. promtool is Debian's {@code prometheus} package ({@code .ci/run} installs it); without
 * it these tests fail.
 */
@DisplayName("Monitoring (k8s/monitoring): metrics, alert rules, dashboard")
class MonitoringTest {

  static final Path DIR = Path.of("k8s/monitoring");
  static final Path RULE = DIR.resolve("prometheusrule.yaml");
  static final Path DASHBOARD = DIR.resolve("stella-gateway-dashboard.json");
  static final Path RULE_TESTS = DIR.resolve("tests/stella-gateway.rules.test.yaml");
  static final Path OPERATIONS = Path.of("docs/operations.md");
  static final Path WORK = Path.of("target/monitoring");
  /** What the rule tests' rule_files names; written from the PrometheusRule's spec. */
  static final String RULES_FILE = "stella-gateway.rules.yaml";
  static final String SECRET = "monitoring-hook-secret";
  /** Series that Prometheus itself makes (https://prometheus.io/docs/concepts/jobs_instances/). */
  static final Set<String> SCRAPE_SERIES = Set.of("up");

  static TestGateway gw;
  static String scrape;

  @BeforeAll
  static void gatewayWithAWorkload() throws IOException {
    Files.createDirectories(WORK);
    gw = TestGateway.start();
    String registry = Webhooks.integration(gw, "registry.distribution", "registry", SECRET,
        Webhooks.registryHosts("registry.example.com"));
    String component = gw.createComponent("app", "registry.example.com/team/app").getString("id");
    String path = "/api/v1/webhooks/registry/" + registry;
    String contentType = "application/vnd.docker.distribution.events.v1+json";
    assertThat(Webhooks.send(gw, path, Webhooks.distributionPush("evt-1", "registry.example.com", "team/app", "v1",
        "sha256:" + "a".repeat(64)), Map.of("Content-Type", contentType, "Authorization", "Bearer " + SECRET)).status())
        .isEqualTo(202);
    assertThat(Webhooks.send(gw, path, Webhooks.distributionPush("evt-2", "registry.example.com", "team/app", "v2",
        "sha256:" + "b".repeat(64)), Map.of("Content-Type", contentType, "Authorization", "Bearer wrong")).status())
        .isEqualTo(401);
    Resp release = gw.post("/api/v1/releases", TestGateway.ADMIN_TOKEN, new JsonObject().put("name", "app-1")
        .put("components", new JsonArray().add(new JsonObject().put("componentId", component)
            .put("digest", "sha256:" + "c".repeat(64)))));
    assertThat(release.status()).isEqualTo(201);
    await().atMost(Duration.ofSeconds(30)).until(() -> gw.get("/metrics", null).body().lines()
        .anyMatch(l -> l.startsWith("stella_webhook_processed_total{") && !l.endsWith(" 0.0")));
    // Micrometer registers jvm_gc_pause_seconds at the first collection it is told of; a running
    // gateway has had one within seconds, a test JVM started a moment ago may not have yet.
    System.gc();
    await().atMost(Duration.ofSeconds(30)).until(() -> gw.get("/metrics", null).body().contains("jvm_gc_pause_seconds_sum"));
    scrape = gw.get("/metrics", null).body();
    Files.writeString(WORK.resolve("metrics.prom"), scrape, StandardCharsets.UTF_8);
  }

  @AfterAll
  static void stop() {
    if (gw != null) {
      gw.close();
    }
  }

  @Test
  @DisplayName("promtool check metrics finds no problem in a real /metrics scrape after webhooks and a release")
  void scrapePassesPromtoolLint() throws Exception {
    Result r = promtool(WORK, scrape, "check", "metrics");

    assertThat(r.output()).as("promtool check metrics").isEmpty();
    assertThat(r.exitCode()).isZero();
  }

  @Test
  @DisplayName("promtool check rules accepts the PrometheusRule's rule groups")
  void rulesPassPromtoolCheck() throws Exception {
    writeRulesFile();

    Result r = promtool(WORK, null, "check", "rules", RULES_FILE);

    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS: " + alerts().size() + " rules found");
  }

  @Test
  @DisplayName("promtool test rules passes the rules' unit tests, and they fire every alert at least once")
  void ruleUnitTestsFireEveryAlert() throws Exception {
    writeRulesFile();
    Files.copy(RULE_TESTS, WORK.resolve(RULE_TESTS.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    Result r = promtool(WORK, null, "test", "rules", RULE_TESTS.getFileName().toString());

    assertThat(r.exitCode()).as(r.output()).isZero();
    Set<String> fired = new TreeSet<>();
    for (Map<String, Object> test : list(load(RULE_TESTS).get("tests"))) {
      for (Map<String, Object> check : list(test.get("alert_rule_test"))) {
        if (!list(check.get("exp_alerts")).isEmpty()) {
          fired.add((String) check.get("alertname"));
        }
      }
    }
    assertThat(fired).as("alerts a unit test expects to fire")
        .containsExactlyInAnyOrderElementsOf(alerts().stream().map(a -> (String) a.get("alert")).toList());
  }

  @Test
  @DisplayName("every alert has a severity, a summary, a description and a runbook_url naming a section of "
      + "docs/operations.md")
  void everyAlertIsDocumented() throws IOException {
    Set<String> anchors = markdownAnchors(Files.readString(OPERATIONS));
    String prefix = "https://github.com/stellaops/release-orchestrator/blob/main/docs/operations.md#";
    for (Map<String, Object> alert : alerts()) {
      String name = (String) alert.get("alert");
      Map<String, Object> labels = map(alert.get("labels"));
      Map<String, Object> annotations = map(alert.get("annotations"));
      assertThat(labels.get("severity")).as("%s severity", name).isIn("critical", "warning", "info");
      assertThat(annotations).as("%s annotations", name).containsKeys("summary", "description", "runbook_url");
      String runbook = (String) annotations.get("runbook_url");
      assertThat(runbook).as("%s runbook_url", name).startsWith(prefix);
      assertThat(anchors).as("sections of %s (%s's runbook)", OPERATIONS, name)
          .contains(runbook.substring(prefix.length()));
    }
  }

  @Test
  @DisplayName("the dashboard's queries name only metrics of the scrape (with _bucket, _count, _sum)")
  void dashboardNamesExportedMetrics() throws IOException {
    List<String> exprs = new ArrayList<>();
    collectExprs(new JsonObject(Files.readString(DASHBOARD)).getMap(), exprs);
    assertThat(exprs).as("dashboard queries").hasSizeGreaterThan(10);

    Set<String> named = new TreeSet<>();
    exprs.forEach(e -> named.addAll(metricNames(e)));

    assertThat(scrapeNames()).as("metrics in the gateway's /metrics").containsAll(named);
    assertThat(named).as("what the dashboard shows").contains("stella_webhook_deliveries_total",
        "stella_webhook_processed_total", "stella_webhook_inbox_lag_seconds", "stella_ci_waits_inflight",
        "stella_ci_run_detection_seconds_bucket", "stella_ci_api_calls_total", "stella_ci_ratelimit_pauses_total",
        "stella_promotions_total", "stella_status_reports_total", "jvm_memory_used_bytes");
  }

  @Test
  @DisplayName("the alert rules name only metrics of the scrape, besides Prometheus's own up")
  void rulesNameExportedMetrics() {
    Set<String> named = new TreeSet<>();
    alerts().forEach(a -> named.addAll(metricNames((String) a.get("expr"))));
    Set<String> known = new TreeSet<>(scrapeNames());
    known.addAll(SCRAPE_SERIES);

    assertThat(known).containsAll(named);
  }

  @Test
  @DisplayName("kustomization.yaml applies the PrometheusRule and makes the dashboard a ConfigMap labelled "
      + "grafana_dashboard: \"1\" for Grafana's sidecar")
  void kustomization() {
    Map<String, Object> k = load(DIR.resolve("kustomization.yaml"));
    assertThat(list(k.get("resources"))).isEqualTo(List.of(RULE.getFileName().toString()));
    Map<String, Object> dashboard = list(k.get("configMapGenerator")).get(0);
    assertThat(dashboard.get("files")).isEqualTo(List.of(DASHBOARD.getFileName().toString()));
    assertThat(map(map(dashboard.get("options")).get("labels"))).containsEntry("grafana_dashboard", "1");
    assertThat(load(RULE)).containsEntry("apiVersion", "monitoring.coreos.com/v1").containsEntry("kind", "PrometheusRule");
  }

  // ---------------------------------------------------------------------------------------------
  // Metric names
  // ---------------------------------------------------------------------------------------------

  /** Every sample name in the scrape: histograms appear as their _bucket, _count and _sum series. */
  static Set<String> scrapeNames() {
    Set<String> names = new TreeSet<>();
    scrape.lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
        .forEach(l -> names.add(l.split("[{ ]", 2)[0]));
    return names;
  }

  private static final Pattern STRING = Pattern.compile("\"(\\\\.|[^\"\\\\])*\"");
  private static final Pattern GROUPING = Pattern.compile(
      "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*+(?!\\s*\\()");
  private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
      "ignoring", "group_left", "group_right", "inf", "nan");

  /**
   * The metric names a PromQL expression selects: what is left once strings, label matchers,
   * range and subquery brackets, grouping clauses, Grafana variables, function calls and
   * keywords are taken out.
   */
  static Set<String> metricNames(String expr) {
    String s = STRING.matcher(expr).replaceAll("\"\"");
    s = s.replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^\\]]*]", " ");
    s = GROUPING.matcher(s).replaceAll(" ").replaceAll("\\$\\w+", " ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(s);
    while (m.find()) {
      if (!KEYWORDS.contains(m.group().toLowerCase(java.util.Locale.ROOT))) {
        names.add(m.group());
      }
    }
    return names;
  }

  @Test
  @DisplayName("metric-name extraction sees through functions, matchers, ranges, grouping and variables")
  void metricNameExtraction() {
    assertThat(metricNames("histogram_quantile(0.99, sum by (le) (rate(a_seconds_bucket{job=~\"$job\", "
        + "route=~\"/x/(y|z)\"}[$__rate_interval])))")).containsExactly("a_seconds_bucket");
    assertThat(metricNames("max by (ns, pod) (x_bytes{job=\"j\"} / y_bytes) > 0.9 and on (pod) up == 0"))
        .containsExactly("up", "x_bytes", "y_bytes");
    assertThat(metricNames("sum(increase(c_total[15m] offset 5m)) > 0")).containsExactly("c_total");
  }

  // ---------------------------------------------------------------------------------------------
  // Files
  // ---------------------------------------------------------------------------------------------

  /** The PrometheusRule's spec (its groups) as a plain Prometheus rules file, beside the rule tests. */
  static void writeRulesFile() throws IOException {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    Files.writeString(WORK.resolve(RULES_FILE), new Yaml(options).dump(map(load(RULE).get("spec"))),
        StandardCharsets.UTF_8);
  }

  static List<Map<String, Object>> alerts() {
    List<Map<String, Object>> alerts = new ArrayList<>();
    for (Map<String, Object> group : list(map(load(RULE).get("spec")).get("groups"))) {
      alerts.addAll(list(group.get("rules")));
    }
    return alerts;
  }

  /** GitHub's heading anchors: lower case, punctuation other than - and _ dropped, spaces as -. */
  static Set<String> markdownAnchors(String markdown) {
    Set<String> anchors = new TreeSet<>();
    markdown.lines().filter(l -> l.startsWith("#")).forEach(l -> anchors.add(
        l.replaceFirst("^#+\\s*", "").trim().toLowerCase(java.util.Locale.ROOT)
            .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-')));
    return anchors;
  }

  @SuppressWarnings("unchecked")
  private static void collectExprs(Object node, List<String> exprs) {
    if (node instanceof Map<?, ?> m) {
      m.forEach((k, v) -> {
        if ("expr".equals(k) && v instanceof String e) {
          exprs.add(e);
        } else {
          collectExprs(v, exprs);
        }
      });
    } else if (node instanceof List<?> l) {
      l.forEach(v -> collectExprs(v, exprs));
    } else if (node instanceof JsonObject o) {
      collectExprs(o.getMap(), exprs);
    } else if (node instanceof JsonArray a) {
      collectExprs(a.getList(), exprs);
    }
  }

  static Map<String, Object> load(Path file) {
    try {
      return map(new Yaml().load(Files.readString(file)));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    assertThat(o).isInstanceOf(Map.class);
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> list(Object o) {
    return o == null ? List.of() : (List<Map<String, Object>>) o;
  }

  // ---------------------------------------------------------------------------------------------
  // promtool
  // ---------------------------------------------------------------------------------------------

  record Result(int exitCode, String output) {}

  static Path promtool() {
    Path promtool = Path.of("/usr/bin/promtool");
    assertThat(promtool).as("promtool (apt-get install prometheus; .ci/run installs it)").isExecutable();
    return promtool;
  }

  static Result promtool(Path dir, String stdin, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(promtool().toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    try (var in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    return new Result(p.exitValue(), output);
  }
}
