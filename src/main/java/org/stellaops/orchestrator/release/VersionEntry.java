package org.stellaops.orchestrator.release;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.stellaops.orchestrator.platform.Json;

/** The current digest of one tag of one component. */
public record VersionEntry(
    UUID componentId,
    String tag,
    String digest,
    String semver,
    String channel,
    boolean prerelease,
    String source,
    OffsetDateTime resolvedAt) {

  public static final String SOURCE_MANUAL = "manual";
  public static final String SOURCE_API = "api";
  public static final String SOURCE_WEBHOOK = "webhook";

  static VersionEntry fromRow(Row row) {
    return new VersionEntry(
        row.getUUID("component_id"),
        row.getString("tag"),
        row.getString("digest"),
        row.getString("semver"),
        row.getString("channel"),
        row.getBoolean("prerelease"),
        row.getString("source"),
        row.getOffsetDateTime("resolved_at"));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("componentId", componentId.toString())
        .put("tag", tag)
        .put("digest", digest)
        .put("semver", semver)
        .put("channel", channel)
        .put("prerelease", prerelease)
        .put("source", source)
        .put("resolvedAt", Json.time(resolvedAt));
  }

  /** One move of a tag, oldest kept forever: which digest it pointed to and what it replaced. */
  public record Move(String tag, String digest, String previousDigest, String source, OffsetDateTime resolvedAt,
      String recordedBy) {

    static Move fromRow(Row row) {
      return new Move(row.getString("tag"), row.getString("digest"), row.getString("previous_digest"),
          row.getString("source"), row.getOffsetDateTime("resolved_at"), row.getString("recorded_by"));
    }

    public JsonObject toJson() {
      return new JsonObject()
          .put("tag", tag)
          .put("digest", digest)
          .put("previousDigest", previousDigest)
          .put("source", source)
          .put("resolvedAt", Json.time(resolvedAt))
          .put("recordedBy", recordedBy);
    }
  }
}
