package org.stellaops.orchestrator.release;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.stellaops.orchestrator.platform.Validator;

/**
 * Create a release: its name, one entry per component (each with a digest or a tag), the source it was
 * built from (null when not given) and free-form metadata.
 */
public record CreateRelease(String name, List<Entry> entries, SourceRef sourceRef, JsonObject metadata) {

  private static final Pattern COMMIT = Pattern.compile("[0-9a-fA-F]{7,64}");
  private static final int MAX_COMPONENTS = 100;
  private static final int MAX_METADATA_BYTES = 16 * 1024;

  /** The {@code index}-th listed component, by id or name, with its digest, its tag, or both. */
  public record Entry(int index, String componentRef, String digest, String tag) {}

  /** The git commit a release was built from; {@code tag} and {@code branch} may be null. */
  public record SourceRef(String type, String repository, String commit, String tag, String branch) {
    /** As stored and answered: every field present, null when not given. */
    public JsonObject toJson() {
      return new JsonObject().put("type", type).put("repository", repository).put("commit", commit)
          .put("tag", tag).put("branch", branch);
    }
  }

  /** The body of {@code POST /api/v1/releases}; every bad field is reported in one 400. */
  public static CreateRelease parse(JsonObject body) {
    Validator v = new Validator(body);
    String name = v.requiredString("name", 255);
    List<Entry> entries = new ArrayList<>();
    JsonArray list = v.optionalArray("components");
    if (!v.has("components")) {
      v.error("components", "is required", "REQUIRED");
    } else if (list != null && (list.isEmpty() || list.size() > MAX_COMPONENTS)) {
      v.error("components", "must list 1 to " + MAX_COMPONENTS + " components", "INVALID_SIZE");
    } else if (list != null) {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < list.size(); i++) {
        String field = "components[" + i + "]";
        if (!(list.getValue(i) instanceof JsonObject entry)) {
          v.error(field, "must be an object {componentId, digest | tag}", "INVALID_TYPE");
          continue;
        }
        Validator c = v.nested(entry, field);
        String ref = c.requiredString("componentId", 64);
        String digest = c.matching("digest", c.optionalString("digest", 71), Digests.SHA256, Digests.SHA256_EXPECTED);
        String tag = c.matching("tag", c.optionalString("tag", 128), Digests.TAG, Digests.TAG_EXPECTED);
        if (!c.has("digest") && !c.has("tag")) {
          c.error("digest", "give a digest, or a tag to resolve through the version map", "REQUIRED");
        }
        if (ref != null && !seen.add(ref)) {
          c.error("componentId", "component " + ref + " is listed twice", "DUPLICATE");
        }
        entries.add(new Entry(i, ref, digest, tag));
      }
    }
    SourceRef sourceRef = sourceRef(v);
    JsonObject metadata = v.optionalObject("metadata");
    if (metadata != null && metadata.encode().length() > MAX_METADATA_BYTES) {
      v.error("metadata", "must encode to at most " + MAX_METADATA_BYTES + " bytes", "TOO_LONG");
    }
    v.throwIfInvalid();
    return new CreateRelease(name, entries, sourceRef, metadata == null ? new JsonObject() : metadata);
  }

  private static SourceRef sourceRef(Validator v) {
    JsonObject raw = v.optionalObject("sourceRef");
    if (raw == null) {
      return null;
    }
    Validator s = v.nested(raw, "sourceRef");
    String type = s.requiredString("type", 16);
    if (type != null && !type.equals("git")) {
      s.error("type", "must be git", "INVALID_VALUE");
    }
    String repository = s.requiredString("repository", 2048);
    String commit = s.matching("commit", s.requiredString("commit", 64), COMMIT, "a git commit SHA (7-64 hex)");
    String tag = s.optionalString("tag", 255);
    String branch = s.optionalString("branch", 255);
    return new SourceRef(type, repository, commit, tag, branch);
  }
}
