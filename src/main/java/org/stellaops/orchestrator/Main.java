package org.stellaops.orchestrator;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import org.stellaops.orchestrator.platform.AppConfig;
import org.stellaops.orchestrator.platform.ConfigLoader;

/** Entry point: load and validate configuration, start the gateway, stop it cleanly on SIGTERM. */
public final class Main {

  /**
   * How long the shutdown hook waits beyond http.shutdownTimeout for the rest of the stop
   * (database pool, cluster); a pod's terminationGracePeriodSeconds must cover both.
   */
  static final int STOP_ALLOWANCE_SECONDS = 15;

  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    AppConfig config;
    try {
      config = ConfigLoader.fromProcess().load();
    } catch (ConfigLoader.ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    // Read by logback.xml; set before the first logger exists.
    System.setProperty("stella.log.format", config.logFormat());
    var log = LoggerFactory.getLogger(Main.class);

    CountDownLatch started = new CountDownLatch(1);
    Application[] running = new Application[1];
    Application.start(config)
        .onSuccess(app -> running[0] = app)
        .onFailure(e -> log.error("gateway failed to start: {}", e.getMessage(), e))
        .onComplete(done -> started.countDown());
    started.await();
    if (running[0] == null) {
      flushLogs();
      System.exit(1);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("shutting down");
      CountDownLatch stopped = new CountDownLatch(1);
      running[0].stop().onComplete(v -> stopped.countDown());
      try {
        // The hook thread may wait: it is not an event loop.
        stopped.await(config.http().shutdownTimeoutSeconds() + STOP_ALLOWANCE_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      flushLogs();
    }, "stella-shutdown"));
  }

  /** Log lines go through an asynchronous appender; drain it before the process ends. */
  private static void flushLogs() {
    if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logback) {
      logback.stop();
    }
  }
}
