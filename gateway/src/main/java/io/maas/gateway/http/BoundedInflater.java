package io.maas.gateway.http;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Inflates a request body sent with {@code Content-Encoding: gzip} (or {@code x-gzip}, or {@code deflate}: zlib,
 * or raw deflate as some clients send it) as its compressed bytes arrive, and stops at the size limit: it never
 * inflates more than {@code maxBytes + 1} bytes, however small the compressed body (a 1 MiB gzip body of zeros
 * inflates to 1 GiB). Checks gzip's CRC and length; several gzip members in a row are one body.
 * Not thread-safe; {@link #close()} frees the native inflater.
 */
final class BoundedInflater implements AutoCloseable {
  /** Where inflated bytes go, as they come. */
  interface Sink {
    void accept(byte[] bytes, int offset, int length);
  }

  private enum State { HEADER, DATA, TRAILER, DONE }

  private static final int SLICE = 64 * 1024;
  private static final int MAX_GZIP_HEADER = 64 * 1024;

  private final boolean gzip;
  private final String encoding;
  private final long maxBytes;
  private final byte[] slice;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private final CRC32 crc = new CRC32();
  private Inflater inflater;
  /** deflate without zlib's wrapper */
  private boolean raw;
  private State state = State.HEADER;
  private long total;
  private long memberSize;

  private BoundedInflater(boolean gzip, String encoding, long maxBytes) {
    this.gzip = gzip;
    this.encoding = encoding;
    this.maxBytes = maxBytes;
    this.slice = new byte[(int) Math.min(SLICE, maxBytes + 1)];
  }

  /**
   * The inflater for a request's {@code Content-Encoding}; null when the body is not compressed.
   *
   * @throws MaasException INVALID_ARGUMENT for an encoding the server does not take
   */
  static BoundedInflater forEncoding(String contentEncoding, long maxBytes) {
    String e = contentEncoding == null ? "" : contentEncoding.trim().toLowerCase(Locale.ROOT);
    return switch (e) {
      case "", "identity" -> null;
      case "gzip", "x-gzip" -> new BoundedInflater(true, e, maxBytes);
      case "deflate" -> new BoundedInflater(false, e, maxBytes);
      default -> throw MaasException.invalid("unsupported Content-Encoding '%s': send the body as it is, or with gzip"
          + " or deflate", contentEncoding);
    };
  }

  /** Bytes inflated so far. */
  long inflated() {
    return total;
  }

  /**
   * Inflates what a chunk of the compressed body holds into the sink.
   *
   * @throws MaasException PAYLOAD_TOO_LARGE as soon as the body inflates past the limit, INVALID_ARGUMENT when
   *     it is not valid compressed data
   */
  void inflate(ByteBuffer in, Sink sink) {
    while (in.hasRemaining()) {
      switch (state) {
        case HEADER -> {
          ByteBuffer data = header(in);
          if (data == null) {
            return;
          }
          inflate(data, sink); // the start of the compressed data, read along with the header
        }
        case DATA -> {
          if (!inflateSome(in, sink)) {
            return;
          }
        }
        case TRAILER -> trailer(in);
        case DONE -> {
          if (!gzip || in.get(in.position()) != 0x1f) {
            throw invalid("data after the end of the compressed body");
          }
          state = State.HEADER; // another gzip member
        }
      }
    }
  }

  /** The compressed body is complete. @throws MaasException INVALID_ARGUMENT when it was cut short */
  void finish() {
    if (state != State.DONE && !(state == State.HEADER && total == 0 && pending.size() == 0)) { // empty: empty
      throw invalid("the body ends before its compressed data does");
    }
  }

  @Override
  public void close() {
    if (inflater != null) {
      inflater.end();
      inflater = null;
    }
  }

  /** Reads the header; returns the bytes after it, or null while it is incomplete. */
  private ByteBuffer header(ByteBuffer in) {
    byte[] more = new byte[in.remaining()];
    in.get(more);
    pending.write(more, 0, more.length);
    byte[] b = pending.toByteArray();
    int length = gzip ? gzipHeaderLength(b) : zlibOrRaw(b);
    if (length < 0) {
      if (b.length > MAX_GZIP_HEADER) {
        throw invalid("a gzip header of over " + MAX_GZIP_HEADER + " bytes");
      }
      return null;
    }
    pending.reset();
    inflater = new Inflater(gzip || raw);
    state = State.DATA;
    crc.reset();
    memberSize = 0;
    return ByteBuffer.wrap(b, length, b.length - length);
  }

  /** The length of a complete gzip header at the start of b (RFC 1952), or -1 if b does not hold all of it yet. */
  private int gzipHeaderLength(byte[] b) {
    if (b.length < 10) {
      return -1;
    }
    if ((b[0] & 0xff) != 0x1f || (b[1] & 0xff) != 0x8b || b[2] != 8) {
      throw invalid("not gzip data");
    }
    int flags = b[3] & 0xff;
    int at = 10;
    if ((flags & 4) != 0) { // FEXTRA
      if (b.length < at + 2) {
        return -1;
      }
      at += 2 + ((b[at] & 0xff) | (b[at + 1] & 0xff) << 8);
    }
    for (int zeroTerminated : new int[] {8, 16}) { // FNAME, FCOMMENT
      if ((flags & zeroTerminated) != 0) {
        while (at < b.length && b[at] != 0) {
          at++;
        }
        if (at >= b.length) {
          return -1;
        }
        at++;
      }
    }
    if ((flags & 2) != 0) { // FHCRC
      at += 2;
    }
    return at <= b.length ? at : -1;
  }

  /** Deflate is zlib (RFC 1950) by the HTTP spec, raw deflate from some clients: told apart by the first two bytes. */
  private int zlibOrRaw(byte[] b) {
    if (b.length < 2) {
      return -1;
    }
    int cmf = b[0] & 0xff;
    raw = !((cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && ((cmf << 8) | (b[1] & 0xff)) % 31 == 0);
    return 0;
  }

  /** Inflates until the input is used up (false) or the compressed data ends (true, the rest left in `in`). */
  private boolean inflateSome(ByteBuffer in, Sink sink) {
    inflater.setInput(in);
    while (true) {
      int room = (int) Math.min(slice.length, maxBytes + 1 - total);
      int n;
      try {
        n = inflater.inflate(slice, 0, room);
      } catch (DataFormatException e) {
        throw invalid("malformed compressed data (" + e.getMessage() + ")");
      }
      if (n > 0) {
        total += n;
        if (total > maxBytes) {
          throw new MaasException(ErrorCode.PAYLOAD_TOO_LARGE, "the request body inflates to over " + maxBytes
              + " bytes, over the size limit (gateway.max_body_bytes)");
        }
        memberSize += n;
        crc.update(slice, 0, n);
        sink.accept(slice, 0, n);
      }
      if (inflater.finished()) {
        inflater.end();
        inflater = null;
        state = gzip ? State.TRAILER : State.DONE;
        return true;
      }
      if (n == 0) {
        if (inflater.needsInput()) {
          return false;
        }
        throw invalid("malformed compressed data (a preset dictionary is needed)");
      }
    }
  }

  /** gzip's trailer: CRC-32 and the length (mod 2^32) of the member's inflated bytes. */
  private void trailer(ByteBuffer in) {
    while (pending.size() < 8 && in.hasRemaining()) {
      pending.write(in.get());
    }
    if (pending.size() < 8) {
      return;
    }
    byte[] t = pending.toByteArray();
    pending.reset();
    long crcRead = (t[0] & 0xffL) | (t[1] & 0xffL) << 8 | (t[2] & 0xffL) << 16 | (t[3] & 0xffL) << 24;
    long sizeRead = (t[4] & 0xffL) | (t[5] & 0xffL) << 8 | (t[6] & 0xffL) << 16 | (t[7] & 0xffL) << 24;
    if (crcRead != crc.getValue() || sizeRead != (memberSize & 0xffffffffL)) {
      throw invalid("corrupt gzip data (its checksum or length does not match)");
    }
    state = State.DONE;
  }

  private MaasException invalid(String what) {
    return MaasException.invalid("the request body is sent with Content-Encoding '%s' but %s", encoding, what);
  }
}
