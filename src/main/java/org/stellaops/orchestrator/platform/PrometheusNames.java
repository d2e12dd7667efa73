package org.stellaops.orchestrator.platform;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.lang.management.ManagementFactory;

/**
 * Two of Micrometer's JVM meters whose Prometheus names break Prometheus's naming rules
 * (https://prometheus.io/docs/practices/naming/), which {@code promtool check metrics} enforces:
 * {@code process_cpu_time_ns_total} (units are base units, seconds, spelled out) and
 * {@code system_cpu_count} (a gauge must not end in {@code _count}, the suffix of a histogram's
 * or summary's sample count). They are exported as {@code process_cpu_seconds_total}, the name
 * Prometheus's own client libraries give the process's CPU time, and
 * {@code system_cpus_available}.
 */
final class PrometheusNames {

  static final String PROCESS_CPU_TIME = "process.cpu.time";
  static final String SYSTEM_CPU_COUNT = "system.cpu.count";

  static final MeterFilter FILTER = new MeterFilter() {
    @Override
    public MeterFilterReply accept(Meter.Id id) {
      // Replaced by bindProcessCpuSeconds: a counter in nanoseconds cannot be renamed to seconds.
      return PROCESS_CPU_TIME.equals(id.getName()) ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
    }

    @Override
    public Meter.Id map(Meter.Id id) {
      return SYSTEM_CPU_COUNT.equals(id.getName()) ? id.withName("system.cpus.available") : id;
    }
  };

  private PrometheusNames() {}

  /** process_cpu_seconds_total: CPU time used by the JVM process, where the JVM reports it. */
  static void bindProcessCpuSeconds(MeterRegistry registry) {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        && os.getProcessCpuTime() >= 0) {
      FunctionCounter.builder("process.cpu", os, bean -> bean.getProcessCpuTime() / 1e9)
          .baseUnit("seconds")
          .description("CPU time used by the JVM process")
          .register(registry);
    }
  }
}
