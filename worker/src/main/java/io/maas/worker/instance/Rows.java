package io.maas.worker.instance;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Merges tensors along their first (batch) dimension and splits them back. Tensors are row-major raw
 * bytes, so a merge is a concatenation of their data and a split cuts it at row boundaries; BYTES
 * elements (4-byte little-endian length, then the bytes) are self-delimiting, so they concatenate too.
 */
public final class Rows {
  private Rows() {}

  /** The tensors (same name, datatype and non-batch dimensions) stacked along dimension 0. */
  public static Tensor concat(List<Tensor> parts) {
    Tensor first = parts.get(0);
    if (parts.size() == 1) {
      return first;
    }
    long[] shape = first.shape().clone();
    long rows = 0;
    int bytes = 0;
    for (Tensor t : parts) {
      rows += t.shape()[0];
      bytes = Math.addExact(bytes, t.data().length);
    }
    shape[0] = rows;
    byte[] data = new byte[bytes];
    int at = 0;
    for (Tensor t : parts) {
      System.arraycopy(t.data(), 0, data, at, t.data().length);
      at += t.data().length;
    }
    return new Tensor(first.name(), first.datatype(), shape, data);
  }

  /**
   * Cuts a tensor into consecutive blocks of rows along dimension 0.
   *
   * @param rows the rows of each block; they add up to the tensor's first dimension
   * @throws MaasException INTERNAL when the tensor's first dimension is not the batch's (a model whose
   *     output does not follow its inputs' batch dimension cannot be batched)
   */
  public static List<Tensor> split(Tensor t, long[] rows) {
    long total = 0;
    for (long r : rows) {
      total += r;
    }
    if (t.shape().length == 0 || t.shape()[0] != total) {
      throw new MaasException(ErrorCode.INTERNAL, "output '" + t.name() + "' has shape "
          + java.util.Arrays.toString(t.shape()) + ", whose first dimension is not the batch of " + total
          + " items: the model cannot be batched (remove its dynamic_batching)");
    }
    if (rows.length == 1) {
      return List.of(t);
    }
    long perRow = Tensor.elementCount(t.name(), t.shape()) / Math.max(1, total);
    List<Tensor> out = new ArrayList<>(rows.length);
    int at = 0;
    for (long r : rows) {
      long[] shape = t.shape().clone();
      shape[0] = r;
      int length = t.datatype() == DataType.BYTES
          ? bytesLength(t.data(), at, r * perRow)
          : Math.toIntExact(r * perRow * t.datatype().elementSize());
      byte[] data = new byte[length];
      System.arraycopy(t.data(), at, data, 0, length);
      at += length;
      out.add(new Tensor(t.name(), t.datatype(), shape, data));
    }
    return out;
  }

  /** The bytes taken by {@code elements} BYTES elements starting at {@code offset}. */
  private static int bytesLength(byte[] data, int offset, long elements) {
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    int at = offset;
    for (long i = 0; i < elements; i++) {
      at += 4 + b.getInt(at);
    }
    return at - offset;
  }
}
