package io.maas.gateway.http;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.gateway.edge.BodyBudget;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * A request body's bytes as they arrive, in one array. Its capacity is reserved from the body budget before it is
 * allocated: all of it at once for a body of known length (its {@code Content-Length}), which then fills it
 * without a copy; otherwise it doubles as the body grows, up to the size limit.
 */
final class BodyBytes {
  private static final int FIRST_CAPACITY = 64 * 1024;
  private static final byte[] NONE = new byte[0];

  private final BodyBudget.Reservation reservation;
  private final long maxBytes;
  private long capacity;
  private byte[] data = NONE;
  private int size;

  /**
   * @param expected the body's length when it is known (reserved now), else -1
   * @throws MaasException UNAVAILABLE when the budget cannot hold the expected length
   */
  BodyBytes(BodyBudget.Reservation reservation, long maxBytes, long expected) {
    this.reservation = reservation;
    this.maxBytes = Math.min(maxBytes, Integer.MAX_VALUE - 8); // one array
    if (expected > 0) {
      reservation.grow(expected);
      capacity = expected;
    }
  }

  int size() {
    return size;
  }

  /**
   * @throws MaasException PAYLOAD_TOO_LARGE past the size limit, UNAVAILABLE when the budget cannot hold the
   *     larger array the body needs
   */
  void append(byte[] bytes, int offset, int length) {
    ensureRoom(length);
    System.arraycopy(bytes, offset, data, size, length);
    size += length;
  }

  void append(Buffer chunk) {
    int length = chunk.length();
    ensureRoom(length);
    chunk.getBytes(0, length, data, size);
    size += length;
  }

  /** The body, sharing the array (no copy). */
  Buffer toBuffer() {
    return BufferInternal.buffer(Unpooled.wrappedBuffer(data, 0, size));
  }

  private void ensureRoom(int length) {
    long needed = (long) size + length;
    if (needed > maxBytes) {
      throw new MaasException(ErrorCode.PAYLOAD_TOO_LARGE,
          "the request body is over the size limit of " + maxBytes + " bytes (gateway.max_body_bytes)");
    }
    if (needed > capacity) {
      long grown = Math.min(maxBytes, Math.max(needed, Math.max(FIRST_CAPACITY, capacity * 2)));
      reservation.grow(grown - capacity);
      capacity = grown;
    }
    if (needed > data.length) {
      byte[] larger = new byte[(int) capacity];
      System.arraycopy(data, 0, larger, 0, size);
      data = larger;
    }
  }
}
