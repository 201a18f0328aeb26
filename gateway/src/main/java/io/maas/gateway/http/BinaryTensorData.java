package io.maas.gateway.http;

import io.maas.error.MaasException;
import io.maas.tensor.DataType;
import io.maas.tensor.Shapes;
import io.maas.tensor.Tensor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * KServe's binary tensor data extension (as Triton defines it): the body is a JSON header of
 * {@code Inference-Header-Content-Length} bytes followed by the raw little-endian data of every tensor
 * whose {@code parameters.binary_data_size} says how many of those bytes it takes, in the order the
 * tensors are listed. BYTES elements are a 4-byte little-endian length and the bytes, which is exactly
 * how a {@link Tensor} holds them.
 */
public final class BinaryTensorData {
  public static final String HEADER_LENGTH = "Inference-Header-Content-Length";
  public static final String SIZE = "binary_data_size";
  /** On a requested output: whether to return it as binary data. */
  public static final String OUTPUT_FLAG = "binary_data";
  /** On the request: whether to return every output as binary data unless the output says otherwise. */
  public static final String ALL_OUTPUTS_FLAG = "binary_data_output";
  public static final String CONTENT_TYPE = "application/octet-stream";

  private final Buffer json;
  private final Buffer binary;
  private final boolean headerGiven;
  private int position;

  private BinaryTensorData(Buffer json, Buffer binary, boolean headerGiven) {
    this.json = json;
    this.binary = binary;
    this.headerGiven = headerGiven;
  }

  /**
   * Splits a body at the header length; without the header the whole body is JSON.
   *
   * @throws MaasException INVALID_ARGUMENT if the header is not a length within the body
   */
  public static BinaryTensorData split(Buffer body, String headerLength) {
    Buffer b = body == null ? Buffer.buffer() : body;
    if (headerLength == null) {
      return new BinaryTensorData(b, Buffer.buffer(), false);
    }
    String h = headerLength.trim();
    if (!h.matches("\\d{1,10}")) {
      throw MaasException.invalid("%s '%s' is not a byte count", HEADER_LENGTH, headerLength);
    }
    long length = Long.parseLong(h);
    if (length > b.length()) {
      throw MaasException.invalid("%s %d is larger than the %d-byte body", HEADER_LENGTH, length, b.length());
    }
    int n = (int) length;
    return new BinaryTensorData(b.slice(0, n), b.slice(n, b.length()), true);
  }

  /** The JSON part of the body (all of it without the header). */
  public Buffer jsonPart() {
    return json;
  }

  /**
   * A JSON parse error, explained when it most likely comes from binary data sent without the header
   * that says where the JSON ends.
   */
  public MaasException explain(MaasException jsonError) {
    if (!headerGiven && json.toString(StandardCharsets.ISO_8859_1).contains(SIZE)) {
      return MaasException.invalid("%s (binary tensor data after the JSON needs the %s header)",
          jsonError.getMessage(), HEADER_LENGTH);
    }
    return jsonError;
  }

  /**
   * The {@code binary_data_size} a tensor declares in its parameters, or -1 if it has none.
   *
   * @throws MaasException INVALID_ARGUMENT if it is not a non-negative integer
   */
  public static long declaredSize(JsonObject parameters, String tensor) {
    Object v = parameters == null ? null : parameters.getValue(SIZE);
    if (v == null) {
      return -1;
    }
    if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < 0) {
      throw MaasException.invalid("input '%s': parameters.%s must be a non-negative integer, got %s", tensor, SIZE, v);
    }
    return ((Number) v).longValue();
  }

  /** Checks, before any tensor is read, that the declared sizes add up to the binary data that follows the JSON. */
  public void checkDeclaredTotal(long declared) {
    if (declared > 0 && !headerGiven) {
      throw MaasException.invalid("inputs declare %s but the request has no %s header to say where the JSON ends",
          SIZE, HEADER_LENGTH);
    }
    if (declared != binary.length()) {
      throw MaasException.invalid("the inputs' %s add up to %d bytes, but %d bytes of binary data follow the "
          + "%d-byte JSON header", SIZE, declared, binary.length(), json.length());
    }
  }

  /** Reads the next tensor's bytes, checking them against its shape and datatype. */
  public Tensor read(String name, DataType type, long[] shape, long size, long maxElements) {
    long count = Tensor.elementCount(name, shape);
    if (count > maxElements) {
      throw MaasException.invalid("input '%s': %d elements is over the limit of %d", name, count, maxElements);
    }
    if (type.isFixedSize() && size != count * type.elementSize()) {
      throw MaasException.invalid("input '%s': %s %d does not match shape %s of %s (%d bytes)",
          name, SIZE, size, Shapes.format(shape), type, count * type.elementSize());
    }
    if (size > binary.length() - position) {
      throw MaasException.invalid("input '%s': %s %d runs past the end of the binary data", name, SIZE, size);
    }
    byte[] data = binary.getBytes(position, position + (int) size);
    position += (int) size;
    if (type == DataType.BYTES) {
      checkBytesElements(name, shape, count, data);
    }
    return new Tensor(name, type, shape, data);
  }

  private static void checkBytesElements(String name, long[] shape, long count, byte[] data) {
    int at = 0;
    long elements = 0;
    while (at < data.length) {
      if (data.length - at < 4) {
        throw MaasException.invalid("input '%s': BYTES element %d has a length prefix cut short by the end of its "
            + "%d bytes of binary data", name, elements, data.length);
      }
      long length = (data[at] & 0xffL) | (data[at + 1] & 0xffL) << 8 | (data[at + 2] & 0xffL) << 16
          | (data[at + 3] & 0xffL) << 24;
      at += 4;
      if (length > data.length - at) {
        throw MaasException.invalid("input '%s': BYTES element %d's length prefix %d runs past the end of its "
            + "%d bytes of binary data", name, elements, length, data.length);
      }
      at += (int) length;
      elements++;
    }
    if (elements != count) {
      throw MaasException.invalid("input '%s': shape %s needs %d BYTES elements, its binary data holds %d",
          name, Shapes.format(shape), count, elements);
    }
  }
}
