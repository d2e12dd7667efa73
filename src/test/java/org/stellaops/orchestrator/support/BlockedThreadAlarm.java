package org.stellaops.orchestrator.support;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Collects Vert.x's blocked-thread warnings during tests (wired in logback-test.xml). Every
 * test gateway checks it when it stops, so code that blocks an event loop fails the suite
 * instead of passing with a line in a log nobody reads. Only blocks of five seconds or more
 * count: on a shared two-core machine class loading under load can hold a loop for two, and a
 * real blocking call (a JDBC query, a {@code get()} on a future) shows up far longer.
 */
public final class BlockedThreadAlarm extends AppenderBase<ILoggingEvent> {

  static final long THRESHOLD_MS = 5000;
  private static final Pattern BLOCKED = Pattern.compile("has been blocked for (\\d+) ms");
  private static final List<String> WARNINGS = new CopyOnWriteArrayList<>();

  @Override
  protected void append(ILoggingEvent event) {
    Matcher m = BLOCKED.matcher(event.getFormattedMessage());
    if (m.find() && Long.parseLong(m.group(1)) >= THRESHOLD_MS) {
      WARNINGS.add(event.getFormattedMessage());
    }
  }

  public static List<String> warnings() {
    return List.copyOf(WARNINGS);
  }

  public static void clear() {
    WARNINGS.clear();
  }
}
