package io.maas.worker.text;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import io.maas.worker.repository.TextConfig.Pooling;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/** Pools token vectors into one vector per text, and L2-normalises it. Pure functions on maas tensors. */
public final class Poolers {
  private Poolers() {}

  /**
   * @param name the name of the pooled tensor
   * @param source FP32 [texts, tokens, hidden] (mean, cls) or [texts, hidden] (none)
   * @param mask the attention mask, row-major [texts, tokens] (read by mean only)
   * @return FP32 [texts, hidden]
   */
  public static Tensor pool(String name, Tensor source, long[] mask, Pooling pooling, boolean normalize) {
    if (source.datatype() != DataType.FP32) {
      throw internal("pooling reads FP32, but '%s' is %s", source.name(), source.datatype());
    }
    long[] shape = source.shape();
    int rank = pooling == Pooling.NONE ? 2 : 3;
    if (shape.length != rank) {
      throw internal("'%s' has rank %d; %s pooling reads rank %d", source.name(), shape.length, pooling, rank);
    }
    int texts = (int) shape[0];
    int tokens = rank == 3 ? (int) shape[1] : 1;
    int hidden = (int) shape[rank - 1];
    if (pooling == Pooling.MEAN && mask.length != (long) texts * tokens) {
      throw MaasException.invalid("the attention mask holds %d values but '%s' has shape %s", mask.length,
          source.name(), Arrays.toString(shape));
    }
    FloatBuffer in = source.buffer().asFloatBuffer();
    float[] out = new float[texts * hidden];
    for (int t = 0; t < texts; t++) {
      int row = t * hidden;
      switch (pooling) {
        case NONE -> in.get(row, out, row, hidden);
        case CLS -> in.get(t * tokens * hidden, out, row, hidden);
        case MEAN -> mean(in, mask, t, tokens, hidden, out, row);
      }
      if (normalize) {
        normalize(out, row, hidden);
      }
    }
    ByteBuffer bytes = ByteBuffer.allocate(out.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(out);
    return new Tensor(name, DataType.FP32, new long[] {texts, hidden}, bytes.array());
  }

  /** The mean of the token vectors whose mask is not 0 (summed in double); all-zero masks give zeros. */
  private static void mean(FloatBuffer in, long[] mask, int text, int tokens, int hidden, float[] out, int row) {
    double[] sum = new double[hidden];
    long count = 0;
    for (int k = 0; k < tokens; k++) {
      if (mask[text * tokens + k] == 0) {
        continue;
      }
      count++;
      int base = (text * tokens + k) * hidden;
      for (int h = 0; h < hidden; h++) {
        sum[h] += in.get(base + h);
      }
    }
    double divisor = Math.max(count, 1);
    for (int h = 0; h < hidden; h++) {
      out[row + h] = (float) (sum[h] / divisor);
    }
  }

  private static void normalize(float[] v, int from, int length) {
    double norm = 0;
    for (int i = from; i < from + length; i++) {
      norm += (double) v[i] * v[i];
    }
    double scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
    for (int i = from; i < from + length; i++) {
      v[i] = (float) (v[i] * scale);
    }
  }

  private static MaasException internal(String format, Object... args) {
    return new MaasException(ErrorCode.INTERNAL, String.format(format, args));
  }
}
