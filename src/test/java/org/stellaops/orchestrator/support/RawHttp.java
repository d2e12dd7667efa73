package org.stellaops.orchestrator.support;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Bytes on a plain socket to the gateway on loopback, for requests no HTTP client will send:
 * over-long lines, control characters, bodies that never arrive.
 */
public final class RawHttp {

  private RawHttp() {}

  /** What the server sent and whether it closed the connection, within {@code timeoutMillis}. */
  public record Answer(String text, boolean closedByServer, boolean timedOut) {

    public int status() {
      String[] first = text.split(" ", 3);
      return first.length < 2 ? -1 : Integer.parseInt(first[1]);
    }

    public String body() {
      int at = text.indexOf("\r\n\r\n");
      return at < 0 ? "" : text.substring(at + 4);
    }

    /** The body as JSON (its bytes read as UTF-8). */
    public JsonObject json() {
      return new JsonObject(new String(body().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
    }

    public String header(String name) {
      for (String line : text.split("\r\n")) {
        if (line.isEmpty()) {
          break;
        }
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }
  }

  /**
   * {@code method target} with the given header lines written as UTF-8 (so control characters
   * go out as they are) and {@code body} as raw bytes; Host, Content-Length and
   * {@code Connection: close} are added.
   */
  public static Answer send(int port, String method, String target, Map<String, String> headers, byte[] body) {
    StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
        .append("Host: 127.0.0.1:").append(port).append("\r\n");
    headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
    byte[] headBytes = head.toString().getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[headBytes.length + body.length];
    System.arraycopy(headBytes, 0, all, 0, headBytes.length);
    System.arraycopy(body, 0, all, headBytes.length, body.length);
    return exchange(port, new String(all, StandardCharsets.ISO_8859_1), 30_000);
  }

  /** Sends {@code request} (ISO-8859-1 bytes) and reads until the server closes or the time is up. */
  public static Answer exchange(int port, String request, int timeoutMillis) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(timeoutMillis);
      try {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
      } catch (java.net.SocketException e) {
        // The server answered and closed before taking the whole request: read what it said.
      }
      return readAll(socket.getInputStream());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Answer readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
      }
      return new Answer(out.toString(StandardCharsets.ISO_8859_1), true, false);
    } catch (SocketTimeoutException e) {
      return new Answer(out.toString(StandardCharsets.ISO_8859_1), false, true);
    } catch (java.net.SocketException e) {
      // A reset after the answer (the server closed with unread bytes pending) is a close too.
      return new Answer(out.toString(StandardCharsets.ISO_8859_1), true, false);
    }
  }
}
