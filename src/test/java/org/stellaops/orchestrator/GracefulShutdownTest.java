package org.stellaops.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.support.TestGateway;

/** SIGTERM runs {@link Application#stop}: stop accepting, finish in-flight requests, then close. */
class GracefulShutdownTest {

  @Test
  @DisplayName("a request in flight when shutdown starts is still answered, and new connections are refused")
  void inFlightRequestFinishes() throws Exception {
    TestGateway gw = TestGateway.start();
    int port = gw.app().port();
    byte[] body = new JsonObject().put("name", "late-arrival").put("imageRepository", "registry.example.com/late/app")
        .encode().getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket("127.0.0.1", port)) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST /api/v1/components HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TestGateway.ADMIN_TOKEN
          + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.write(body, 0, 10);
      out.flush();
      // Make sure the server has the request open before shutdown begins.
      await().atMost(Duration.ofSeconds(5)).until(() -> gw.get("/health/live", null).status() == 200);

      Future<Void> stopping = gw.app().stop();
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThat(refused(port)).as("new connections are refused while draining").isTrue());
      assertThat(stopping.isComplete()).as("stop waits for the in-flight request").isFalse();

      out.write(body, 10, body.length - 10);
      out.flush();
      String response = new String(readSome(socket.getInputStream()), StandardCharsets.US_ASCII);
      assertThat(response).startsWith("HTTP/1.1 201");
      await().atMost(Duration.ofSeconds(30)).until(stopping::isComplete);
      assertThat(stopping.succeeded()).isTrue();
    }
  }

  private static boolean refused(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return false;
    } catch (ConnectException e) {
      return true;
    } catch (java.io.IOException e) {
      return true;
    }
  }

  private static byte[] readSome(InputStream in) throws java.io.IOException {
    byte[] buf = new byte[4096];
    int n = in.read(buf);
    return n <= 0 ? new byte[0] : java.util.Arrays.copyOf(buf, n);
  }
}
