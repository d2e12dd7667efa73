package org.stellaops.orchestrator.support;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Helpers for sending webhooks the way vendors do. */
public final class Webhooks {

  private Webhooks() {}

  /** A fixture from src/test/resources/webhooks. */
  public static String fixture(String path) {
    try (InputStream in = Webhooks.class.getClassLoader().getResourceAsStream("webhooks/" + path)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * GitHub's {@code X-Hub-Signature-256} value for a body, computed here as GitHub documents it
   * (https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries) rather than
   * by the gateway's own code, so a wrong signature on either side shows.
   */
  public static String githubSignature(String secret, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** POSTs a webhook body with the given headers (Content-Type defaults to application/json). */
  public static TestGateway.Resp send(TestGateway gw, String path, String body, Map<String, String> headers) {
    HttpRequest.Builder b = gw.request(path, null);
    if (!headers.containsKey("Content-Type")) {
      b.header("Content-Type", "application/json");
    }
    headers.forEach(b::header);
    return gw.send(b.POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  /** Creates an integration through the API and returns its id. */
  public static String integration(TestGateway gw, String type, String name, String secret, JsonObject config) {
    TestGateway.Resp r = gw.post("/api/v1/integrations", TestGateway.ADMIN_TOKEN, new JsonObject()
        .put("type", type).put("name", name).put("config", config)
        .put("credentials", new JsonObject().put("webhookSecret", secret)));
    if (r.status() != 201) {
      throw new IllegalStateException("integration not created: " + r);
    }
    return r.data().getString("id");
  }

  /** An integration config naming the registry hosts it reports on. */
  public static JsonObject registryHosts(String... hosts) {
    return new JsonObject().put("registryHosts", new io.vertx.core.json.JsonArray(java.util.List.of(hosts)));
  }

  /** A distribution notification envelope with one manifest push event. */
  public static String distributionPush(String eventId, String host, String repository, String tag, String digest) {
    return new JsonObject().put("events", new io.vertx.core.json.JsonArray().add(new JsonObject()
        .put("id", eventId)
        .put("timestamp", "2026-11-27T10:00:00Z")
        .put("action", "push")
        .put("target", new JsonObject()
            .put("mediaType", "application/vnd.oci.image.manifest.v1+json")
            .put("digest", digest).put("size", 401).put("length", 401)
            .put("repository", repository).put("tag", tag)
            .put("url", "http://" + host + "/v2/" + repository + "/manifests/" + digest))
        .put("request", new JsonObject().put("id", "r-" + eventId).put("addr", "127.0.0.1:40000")
            .put("host", host).put("method", "PUT").put("useragent", "skopeo/1.9.3"))
        .put("actor", new JsonObject())
        .put("source", new JsonObject().put("addr", "vm:5000").put("instanceID", "i-1")))).encode();
  }

  /** A well-formed sha256 digest: {@code c} 64 times. */
  public static String digest(char c) {
    return "sha256:" + String.valueOf(c).repeat(64);
  }

  /** A distribution notification envelope with one tag delete event. */
  public static String distributionDelete(String eventId, String host, String repository, String tag) {
    return new JsonObject().put("events", new io.vertx.core.json.JsonArray().add(new JsonObject()
        .put("id", eventId)
        .put("timestamp", "2026-11-27T10:00:00Z")
        .put("action", "delete")
        .put("target", new JsonObject().put("repository", repository).put("tag", tag))
        .put("request", new JsonObject().put("id", "r-" + eventId).put("host", host).put("method", "DELETE"))))
        .encode();
  }
}
