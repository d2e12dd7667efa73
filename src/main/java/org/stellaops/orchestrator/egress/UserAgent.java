package org.stellaops.orchestrator.egress;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The {@code User-Agent} every outgoing request carries: {@code stella-release-orchestrator/<version>}. GitHub
 * asks API clients for one that identifies them
 * (https://docs.github.com/en/rest/using-the-rest-api/getting-started-with-the-rest-api#user-agent), and a
 * vendor's administrator can find our calls in their logs by it.
 */
public final class UserAgent {

  public static final String PRODUCT = "stella-release-orchestrator";
  private static final String VERSION_RESOURCE = "/org/stellaops/orchestrator/version.properties";

  private UserAgent() {}

  /** {@code stella-release-orchestrator/0.1.0-SNAPSHOT}; the version is the one Maven built. */
  public static String value() {
    return PRODUCT + "/" + version();
  }

  /** The build's version from the filtered resource; {@code unknown} when run from unfiltered sources. */
  static String version() {
    try (InputStream in = UserAgent.class.getResourceAsStream(VERSION_RESOURCE)) {
      if (in == null) {
        return "unknown";
      }
      Properties properties = new Properties();
      properties.load(in);
      String version = properties.getProperty("version", "").strip();
      return version.isEmpty() || version.startsWith("${") ? "unknown" : version;
    } catch (IOException e) {
      return "unknown";
    }
  }
}
