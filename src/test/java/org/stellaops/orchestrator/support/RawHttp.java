package org.stellaops.orchestrator.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

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

  /** Sends {@code request} (ISO-8859-1 bytes) and reads until the server closes or the time is up. */
  public static Answer exchange(int port, String request, int timeoutMillis) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(timeoutMillis);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
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
