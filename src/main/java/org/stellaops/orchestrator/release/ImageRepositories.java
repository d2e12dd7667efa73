package org.stellaops.orchestrator.release;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Canonical form of an image repository, so the same image written differently is one
 * component: {@code nginx}, {@code library/nginx}, {@code index.docker.io/library/nginx} and
 * {@code docker.io/library/nginx} all become {@code docker.io/library/nginx}. Pure.
 */
public final class ImageRepositories {

  private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  private static final Pattern HOST = Pattern.compile("[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?");
  private static final String DOCKER_HUB = "docker.io";

  private ImageRepositories() {}

  /**
   * The registry host a repository reference names as written (lower case, port kept), or null
   * when it names none: {@code library/nginx} and {@code nginx} are Docker Hub by convention,
   * not by anything the reference says. The same rule as {@link #normalize}.
   */
  public static String host(String raw) {
    if (raw == null) {
      return null;
    }
    String s = raw.trim().toLowerCase(Locale.ROOT).replaceFirst("^https?://", "");
    int slash = s.indexOf('/');
    if (slash <= 0) {
      return null;
    }
    String first = s.substring(0, slash);
    return first.contains(".") || first.contains(":") || first.equals("localhost") ? first : null;
  }

  /** The canonical repository, or null when the text is not a repository reference (a tag or digest is not allowed). */
  public static String normalize(String raw) {
    if (raw == null) {
      return null;
    }
    String s = raw.trim().toLowerCase(Locale.ROOT);
    s = s.replaceFirst("^https?://", "");
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.isEmpty() || s.length() > 255 || s.contains("@")) {
      return null;
    }
    String[] parts = s.split("/", -1);
    if (parts.length == 1 && (s.contains(".") || s.contains(":"))) {
      // A registry host with no repository after it, not a Docker Hub image.
      return null;
    }
    boolean hasHost = parts.length > 1
        && (parts[0].contains(".") || parts[0].contains(":") || parts[0].equals("localhost"));
    String host = hasHost ? parts[0] : DOCKER_HUB;
    if (host.equals("index.docker.io") || host.equals("registry-1.docker.io")) {
      host = DOCKER_HUB;
    }
    if (!HOST.matcher(host).matches()) {
      return null;
    }
    StringBuilder path = new StringBuilder();
    for (int i = hasHost ? 1 : 0; i < parts.length; i++) {
      if (!PATH_COMPONENT.matcher(parts[i]).matches()) {
        return null;
      }
      path.append(path.length() == 0 ? "" : "/").append(parts[i]);
    }
    if (path.length() == 0) {
      return null;
    }
    if (host.equals(DOCKER_HUB) && path.indexOf("/") < 0) {
      path.insert(0, "library/");
    }
    return host + "/" + path;
  }
}
