package io.maas.worker.text;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.tensor.Tensor;
import java.util.List;

/**
 * Stacks the outputs of several session runs along the first (batch) dimension. Where the runs'
 * shapes differ (texts of different lengths), every dimension is padded with zeros to the largest.
 */
final class Stacking {
  private Stacking() {}

  static Tensor stack(List<Tensor> parts) {
    Tensor first = parts.get(0);
    if (parts.size() == 1) {
      return first;
    }
    if (!first.datatype().isFixedSize()) {
      throw new MaasException(ErrorCode.INTERNAL, "output '" + first.name() + "' is " + first.datatype()
          + ", which cannot be stacked over texts");
    }
    int rank = first.shape().length;
    long[] shape = new long[rank];
    for (Tensor t : parts) {
      if (t.shape().length != rank || rank == 0) {
        throw new MaasException(ErrorCode.INTERNAL, "output '" + first.name() + "' changes rank between texts");
      }
      shape[0] += t.shape()[0];
      for (int d = 1; d < rank; d++) {
        shape[d] = Math.max(shape[d], t.shape()[d]);
      }
    }
    int size = first.datatype().elementSize();
    byte[] out = new byte[Math.toIntExact(Tensor.elementCount(first.name(), shape) * size)];
    long rowOffset = 0;
    for (Tensor t : parts) {
      copy(t.data(), t.shape(), out, shape, rowOffset, size);
      rowOffset += t.shape()[0];
    }
    return new Tensor(first.name(), first.datatype(), shape, out);
  }

  /** Copies a row-major block into a larger one, starting at row {@code rowOffset}, innermost runs at once. */
  private static void copy(byte[] src, long[] srcShape, byte[] dst, long[] dstShape, long rowOffset, int size) {
    int rank = srcShape.length;
    if (rank == 1) {
      System.arraycopy(src, 0, dst, Math.toIntExact(rowOffset * size), src.length);
      return;
    }
    long inner = srcShape[rank - 1] * size;
    long outerCount = Tensor.elementCount("", srcShape) / Math.max(srcShape[rank - 1], 1);
    if (srcShape[rank - 1] == 0) {
      return;
    }
    long[] index = new long[rank - 1];
    for (long o = 0; o < outerCount; o++) {
      long dstOffset = 0;
      for (int d = 0; d < rank - 1; d++) {
        long i = d == 0 ? index[0] + rowOffset : index[d];
        dstOffset = dstOffset * dstShape[d] + i;
      }
      dstOffset = dstOffset * dstShape[rank - 1] * size;
      System.arraycopy(src, Math.toIntExact(o * inner), dst, Math.toIntExact(dstOffset), Math.toIntExact(inner));
      for (int d = rank - 2; d >= 0; d--) {
        if (++index[d] < srcShape[d]) {
          break;
        }
        index[d] = 0;
      }
    }
  }
}
