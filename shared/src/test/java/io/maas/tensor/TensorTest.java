package io.maas.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TensorTest {

  private static MaasException invalid(Runnable r) {
    MaasException e = assertThrows(MaasException.class, r::run);
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    return e;
  }

  private static byte[] le(int... ints) {
    ByteBuffer b = ByteBuffer.allocate(ints.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i : ints) {
      b.putInt(i);
    }
    return b.array();
  }

  @Test
  void fixedSizeTensorWithMatchingBytesIsAccepted() {
    Tensor t = new Tensor("x", DataType.FP32, new long[] {2, 3}, new byte[24]);
    assertEquals(6, t.elementCount());
  }

  @Test
  void wrongByteCountIsRejectedNamingTheTensorAndBothSizes() {
    MaasException e = invalid(() -> new Tensor("in0", DataType.INT32, new long[] {2, 2}, new byte[15]));
    assertTrue(e.getMessage().contains("'in0'"), e.getMessage());
    assertTrue(e.getMessage().contains("needs 16 bytes"), e.getMessage());
    assertTrue(e.getMessage().contains("got 15"), e.getMessage());
  }

  @Test
  void negativeDimensionIsRejectedNamingTheTensor() {
    MaasException e = invalid(() -> new Tensor("neg", DataType.FP32, new long[] {-1, 4}, new byte[0]));
    assertTrue(e.getMessage().contains("'neg'"), e.getMessage());
    assertTrue(e.getMessage().contains("negative dimension"), e.getMessage());
  }

  @Test
  void overflowingShapeIsRejectedNamingTheTensor() {
    MaasException e = invalid(
        () -> new Tensor("huge", DataType.UINT8, new long[] {1L << 32, 1L << 32}, new byte[0]));
    assertTrue(e.getMessage().contains("'huge'"), e.getMessage());
    assertTrue(e.getMessage().contains("too large"), e.getMessage());
  }

  @Test
  void zeroElementTensorHasNoBytes() {
    Tensor t = new Tensor("empty", DataType.FP64, new long[] {0, 5}, new byte[0]);
    assertEquals(0, t.elementCount());
    invalid(() -> new Tensor("empty", DataType.FP64, new long[] {0, 5}, new byte[8]));
  }

  @Test
  void scalarHasOneElement() {
    assertEquals(1, new Tensor("s", DataType.INT64, new long[0], new byte[8]).elementCount());
  }

  @Test
  void emptyNameIsRejected() {
    invalid(() -> new Tensor("", DataType.FP32, new long[] {1}, new byte[4]));
  }

  @Test
  void wellFormedBytesTensorIsAccepted() {
    byte[] data = BytesElements.encodeStrings(List.of("a", "", "héllo"));
    Tensor t = new Tensor("s", DataType.BYTES, new long[] {3}, data);
    assertEquals(3, t.elementCount());
  }

  @Test
  void bytesTensorWithWrongElementCountIsRejected() {
    byte[] data = BytesElements.encodeStrings(List.of("a", "b"));
    MaasException e = invalid(() -> new Tensor("s", DataType.BYTES, new long[] {3}, data));
    assertTrue(e.getMessage().contains("'s'"), e.getMessage());
    assertTrue(e.getMessage().contains("needs 3 BYTES elements, got 2"), e.getMessage());
  }

  @Test
  void bytesTensorWhoseLengthPrefixRunsPastTheEndIsRejected() {
    byte[] data = new byte[4 + 3];
    System.arraycopy(le(10), 0, data, 0, 4);
    MaasException e = invalid(() -> new Tensor("s", DataType.BYTES, new long[] {1}, data));
    assertTrue(e.getMessage().contains("'s'"), e.getMessage());
    assertTrue(e.getMessage().contains("malformed length prefixes"), e.getMessage());
  }

  @Test
  void bytesTensorWithNegativeLengthPrefixIsRejected() {
    MaasException e = invalid(() -> new Tensor("neg", DataType.BYTES, new long[] {1}, le(-1)));
    assertTrue(e.getMessage().contains("malformed length prefixes"), e.getMessage());
  }

  @Test
  void bytesTensorWithTrailingPartialPrefixIsRejected() {
    byte[] ok = BytesElements.encodeStrings(List.of("ab"));
    byte[] data = new byte[ok.length + 2];
    System.arraycopy(ok, 0, data, 0, ok.length);
    MaasException e = invalid(() -> new Tensor("t", DataType.BYTES, new long[] {1}, data));
    assertTrue(e.getMessage().contains("malformed length prefixes"), e.getMessage());
  }

  @Test
  void bytesElementsEncodeUsesLittleEndianLengthPrefixes() {
    byte[] data = BytesElements.encodeStrings(List.of("ab", "c"));
    assertArrayEquals(new byte[] {2, 0, 0, 0, 'a', 'b', 1, 0, 0, 0, 'c'}, data);
  }

  @Test
  void bytesElementsRoundTrip() {
    List<byte[]> elements = List.of(
        new byte[0],
        "plain".getBytes(StandardCharsets.UTF_8),
        "ünïcödé ✓ 日本".getBytes(StandardCharsets.UTF_8),
        new byte[] {0, -1, 127, -128});
    byte[] data = BytesElements.encode(elements);
    Tensor t = new Tensor("b", DataType.BYTES, new long[] {2, 2}, data);
    List<byte[]> decoded = BytesElements.decode(t.data());
    assertEquals(elements.size(), decoded.size());
    for (int i = 0; i < elements.size(); i++) {
      assertArrayEquals(elements.get(i), decoded.get(i), "element " + i);
    }
  }

  @Test
  void renamedKeepsDataAndShape() {
    Tensor t = new Tensor("a", DataType.INT32, new long[] {2}, le(1, 2));
    Tensor r = t.renamed("b");
    assertEquals("b", r.name());
    assertEquals(new Tensor("b", DataType.INT32, new long[] {2}, le(1, 2)), r);
  }

  @Test
  void bufferIsLittleEndian() {
    Tensor t = new Tensor("a", DataType.INT32, new long[] {2}, le(0x01020304, -7));
    assertEquals(0x01020304, t.buffer().getInt(0));
    assertEquals(-7, t.buffer().getInt(4));
  }
}
