package io.maas.gateway.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** Compressed request bodies inflate as they arrive, exactly, and never past the size limit. */
class BoundedInflaterTest {
  private static final byte[] TEXT = ("{\"inputs\": [" + "1.5, ".repeat(5000) + "2]}").getBytes(StandardCharsets.UTF_8);

  private static byte[] gzip(byte[] plain) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(plain);
    }
    return out.toByteArray();
  }

  private static byte[] deflate(byte[] plain, boolean zlib) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DeflaterOutputStream z = new DeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION, !zlib))) {
      z.write(plain);
    }
    return out.toByteArray();
  }

  /** Inflates the compressed bytes fed in chunks of the given size; returns what came out. */
  private static byte[] inflate(String encoding, byte[] compressed, int chunk, long max) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (BoundedInflater inflater = BoundedInflater.forEncoding(encoding, max)) {
      for (int at = 0; at < compressed.length; at += chunk) {
        inflater.inflate(ByteBuffer.wrap(compressed, at, Math.min(chunk, compressed.length - at)), out::write);
      }
      inflater.finish();
    }
    return out.toByteArray();
  }

  @Test
  void gzipAndDeflateInflateExactlyWhateverTheChunks() throws IOException {
    for (int chunk : new int[] {1, 7, 10, 11, 4096, 1 << 20}) {
      assertArrayEquals(TEXT, inflate("gzip", gzip(TEXT), chunk, 1 << 20), "gzip in chunks of " + chunk);
      assertArrayEquals(TEXT, inflate("x-gzip", gzip(TEXT), chunk, 1 << 20), "x-gzip in chunks of " + chunk);
      assertArrayEquals(TEXT, inflate("deflate", deflate(TEXT, true), chunk, 1 << 20), "zlib in chunks of " + chunk);
      assertArrayEquals(TEXT, inflate("Deflate", deflate(TEXT, false), chunk, 1 << 20), "raw deflate, " + chunk);
    }
  }

  @Test
  void gzipMembersInARowAreOneBody() throws IOException {
    byte[] first = gzip(Arrays.copyOf(TEXT, 100));
    byte[] second = gzip(Arrays.copyOfRange(TEXT, 100, TEXT.length));
    byte[] both = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, both, first.length, second.length);
    assertArrayEquals(TEXT, inflate("gzip", both, 13, 1 << 20));
  }

  @Test
  void aGzipBombStopsAtTheLimitHavingReadLittleOfIt() throws IOException {
    byte[] bomb = gzip(new byte[256 << 20]); // 256 MiB of zeros: about 250 KiB compressed
    long max = 1 << 20;
    long[] inflated = {0};
    int[] fed = {0};
    MaasException e = assertThrows(MaasException.class, () -> {
      try (BoundedInflater inflater = BoundedInflater.forEncoding("gzip", max)) {
        for (int at = 0; at < bomb.length; at += 16 * 1024) {
          int n = Math.min(16 * 1024, bomb.length - at);
          fed[0] += n;
          inflater.inflate(ByteBuffer.wrap(bomb, at, n), (b, off, len) -> inflated[0] += len);
        }
      }
    });
    assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, e.code());
    assertTrue(inflated[0] <= max, "handed on " + inflated[0] + " bytes, over the limit " + max);
    assertTrue(fed[0] <= 32 * 1024, "read " + fed[0] + " compressed bytes to find out");
  }

  @Test
  void aBombInOneChunkInflatesNoMoreThanTheLimitPlusOne() throws IOException {
    byte[] bomb = gzip(new byte[64 << 20]);
    long max = 100_000;
    long[] inflated = {0};
    assertThrows(MaasException.class, () -> {
      try (BoundedInflater inflater = BoundedInflater.forEncoding("gzip", max)) {
        inflater.inflate(ByteBuffer.wrap(bomb), (b, off, len) -> inflated[0] += len);
      }
    });
    assertTrue(inflated[0] <= max, "handed on " + inflated[0]);
  }

  @Test
  void badCompressedBodiesAreTheClientsMistake() throws IOException {
    byte[] good = gzip(TEXT);
    byte[] truncated = Arrays.copyOf(good, good.length - 5);
    byte[] badCrc = good.clone();
    badCrc[badCrc.length - 6] ^= 1;
    byte[] garbageAfter = Arrays.copyOf(good, good.length + 3);
    byte[] noise = new byte[300];
    new Random(7).nextBytes(noise);
    for (byte[] bad : new byte[][] {truncated, badCrc, garbageAfter, noise, "{\"plain\": true}".getBytes()}) {
      MaasException e = assertThrows(MaasException.class, () -> inflate("gzip", bad, 64, 1 << 20));
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), e.getMessage());
    }
    assertEquals(ErrorCode.INVALID_ARGUMENT,
        assertThrows(MaasException.class, () -> BoundedInflater.forEncoding("br", 10)).code());
    assertEquals(ErrorCode.INVALID_ARGUMENT,
        assertThrows(MaasException.class, () -> BoundedInflater.forEncoding("gzip, gzip", 10)).code());
  }

  @Test
  void identityAndNoEncodingNeedNoInflater() {
    assertNull(BoundedInflater.forEncoding(null, 10));
    assertNull(BoundedInflater.forEncoding("identity", 10));
    assertEquals(0, inflate("gzip", new byte[0], 1, 10).length, "an empty body stays empty");
  }
}
