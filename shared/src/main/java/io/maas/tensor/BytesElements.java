package io.maas.tensor;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Encoding of BYTES tensor elements: a 4-byte little-endian length, then the bytes, per element. */
public final class BytesElements {
  private BytesElements() {}

  public static byte[] encode(List<byte[]> elements) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer len = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    for (byte[] e : elements) {
      out.writeBytes(len.putInt(0, e.length).array());
      out.writeBytes(e);
    }
    return out.toByteArray();
  }

  public static byte[] encodeStrings(List<String> strings) {
    List<byte[]> elements = new ArrayList<>(strings.size());
    for (String s : strings) {
      elements.add(s.getBytes(StandardCharsets.UTF_8));
    }
    return encode(elements);
  }

  /**
   * Counts the length-prefixed elements from the buffer's position to its limit (consuming them), or
   * returns -1 if a prefix runs past the end or bytes are left over. The buffer must be little-endian.
   */
  public static long count(ByteBuffer b) {
    long n = 0;
    while (b.remaining() >= 4) {
      int len = b.getInt();
      if (len < 0 || len > b.remaining()) {
        return -1;
      }
      b.position(b.position() + len);
      n++;
    }
    return b.hasRemaining() ? -1 : n;
  }

  /** Splits well-formed data (as checked by {@link Tensor}) into its elements. */
  public static List<byte[]> decode(byte[] data) {
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    List<byte[]> out = new ArrayList<>();
    while (b.remaining() >= 4) {
      byte[] e = new byte[b.getInt()];
      b.get(e);
      out.add(e);
    }
    return out;
  }
}
