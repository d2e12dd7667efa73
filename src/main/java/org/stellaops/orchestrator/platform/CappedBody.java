package org.stellaops.orchestrator.platform;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import io.vertx.ext.web.codec.BodyCodec;
import io.vertx.ext.web.codec.spi.BodyStream;
import java.nio.charset.StandardCharsets;

/**
 * A response body codec that keeps at most {@code limit} bytes and drops the rest as it
 * arrives, so a large answer (to an http step, from an identity provider) is never held in
 * memory whole.
 */
public final class CappedBody implements BodyCodec<CappedBody.Result> {

  /** What an http step keeps of a response body. */
  public static final int LIMIT = 64 * 1024;
  /** The most of an identity provider's discovery document or key set that is read. */
  public static final int KEY_DOCUMENT_LIMIT = 256 * 1024;

  /** The first bytes of the body as text, and whether more came. */
  public record Result(String text, boolean truncated) {}

  private final int limit;

  public CappedBody(int limit) {
    this.limit = limit;
  }

  @Override
  public BodyStream<Result> stream() {
    return new Stream(limit);
  }

  /**
   * The longest prefix of {@code bytes[0, length)} of at most {@code limit} bytes that does not
   * end inside a UTF-8 sequence, decoded. Pure.
   */
  public static String prefix(byte[] bytes, int length, int limit) {
    int end = Math.min(length, limit);
    if (end < length) {
      // Step back over continuation bytes (10xxxxxx) to the start of the cut character.
      int start = end;
      while (start > 0 && (bytes[start] & 0xC0) == 0x80) {
        start--;
      }
      end = start;
    }
    return new String(bytes, 0, end, StandardCharsets.UTF_8);
  }

  private static final class Stream implements BodyStream<Result> {

    private final int limit;
    private final Buffer kept = Buffer.buffer();
    private final Promise<Result> result = Promise.promise();

    Stream(int limit) {
      this.limit = limit;
    }

    @Override
    public Future<Result> result() {
      return result.future();
    }

    @Override
    public void handle(Throwable failure) {
      result.tryFail(failure);
    }

    @Override
    public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public Future<Void> write(Buffer data) {
      // One byte past the limit tells a body of exactly `limit` bytes from a longer one.
      int room = limit + 1 - kept.length();
      if (room > 0) {
        kept.appendBuffer(data.length() <= room ? data : data.getBuffer(0, room));
      }
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> end() {
      byte[] bytes = kept.getBytes();
      result.tryComplete(new Result(prefix(bytes, bytes.length, limit), bytes.length > limit));
      return Future.succeededFuture();
    }

    @Override
    public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
      return this;
    }

    @Override
    public boolean writeQueueFull() {
      return false;
    }

    @Override
    public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
      return this;
    }
  }
}
