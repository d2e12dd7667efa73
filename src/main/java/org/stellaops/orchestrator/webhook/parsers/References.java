package org.stellaops.orchestrator.webhook.parsers;

import java.net.URI;

/**
 * Splits image references the way registries print them ({@code host[:port]/path[:tag][@digest]}).
 * A colon only starts a tag inside the last path segment, so {@code 127.0.0.1:5000/app} has no tag.
 */
final class References {

  private References() {}

  /** The reference without any scheme, tag or digest. */
  static String repository(String ref) {
    if (ref == null) {
      return null;
    }
    String r = withoutDigest(ref);
    int colon = tagColon(r);
    return colon >= 0 ? r.substring(0, colon) : r;
  }

  /** The tag of {@code repo:tag} (after the last ':' of the last path segment), or null. */
  static String tag(String ref) {
    if (ref == null) {
      return null;
    }
    String r = withoutDigest(ref);
    int colon = tagColon(r);
    return colon >= 0 && colon < r.length() - 1 ? r.substring(colon + 1) : null;
  }

  /** The reference without scheme and without an {@code @digest} suffix. */
  private static String withoutDigest(String ref) {
    String r = stripScheme(ref);
    int at = r.indexOf('@');
    return at >= 0 ? r.substring(0, at) : r;
  }

  /** The digest of {@code repo@sha256:...}, or null. */
  static String digest(String ref) {
    if (ref == null) {
      return null;
    }
    int at = ref.indexOf('@');
    return at >= 0 && at < ref.length() - 1 ? ref.substring(at + 1) : null;
  }

  /** {@code host[:port]} of an absolute URL, or null when it is not one. */
  static String authority(String url) {
    if (url == null) {
      return null;
    }
    try {
      return URI.create(url).getRawAuthority();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** True for a content digest, which some senders put where a tag goes (Harbor, for untagged pushes). */
  static boolean looksLikeDigest(String s) {
    return s != null && s.matches("[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-fA-F0-9]{32,}");
  }

  static String stripScheme(String ref) {
    int i = ref.indexOf("://");
    return i >= 0 ? ref.substring(i + 3) : ref;
  }

  private static int tagColon(String r) {
    int slash = r.lastIndexOf('/');
    int colon = r.lastIndexOf(':');
    return colon > slash ? colon : -1;
  }
}
