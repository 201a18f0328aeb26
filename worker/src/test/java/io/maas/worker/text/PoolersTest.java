package io.maas.worker.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import io.maas.worker.repository.TextConfig.Pooling;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class PoolersTest {

  static Tensor fp32(String name, float[] values, long... shape) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return new Tensor(name, DataType.FP32, shape, b.array());
  }

  static float[] floats(Tensor t) {
    float[] out = new float[(int) t.elementCount()];
    t.buffer().asFloatBuffer().get(out);
    return out;
  }

  /** Two texts of three tokens, hidden 2; the second text's last token is padding. */
  static final Tensor HIDDEN = fp32("h", new float[] {1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 1000, 1000}, 2, 3, 2);
  static final long[] MASK = {1, 1, 1, 1, 1, 0};

  @Test
  void meanAveragesOnlyTheMaskedInTokens() {
    Tensor e = Poolers.pool("e", HIDDEN, MASK, Pooling.MEAN, false);
    assertEquals("e", e.name());
    assertArrayEquals(new long[] {2, 2}, e.shape());
    assertArrayEquals(new float[] {3, 4, 20, 30}, floats(e));
  }

  @Test
  void clsTakesTheFirstToken() {
    assertArrayEquals(new float[] {1, 2, 10, 20}, floats(Poolers.pool("e", HIDDEN, MASK, Pooling.CLS, false)));
  }

  @Test
  void noneKeepsAnAlreadyPooledOutputAndNormalisesIt() {
    Tensor pooled = fp32("p", new float[] {3, 4, 0, 0}, 2, 2);
    assertArrayEquals(new float[] {0.6f, 0.8f, 0, 0}, floats(Poolers.pool("e", pooled, new long[0], Pooling.NONE, true)));
  }

  @Test
  void normaliseGivesUnitLength() {
    float[] e = floats(Poolers.pool("e", HIDDEN, MASK, Pooling.MEAN, true));
    assertEquals(1.0, Math.hypot(e[0], e[1]), 1e-6);
    assertEquals(1.0, Math.hypot(e[2], e[3]), 1e-6);
  }

  @Test
  void aMaskOfTheWrongSizeIsTheClientsError() {
    MaasException e = assertThrows(MaasException.class,
        () -> Poolers.pool("e", HIDDEN, new long[] {1, 1}, Pooling.MEAN, false));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
  }

  @Test
  void stackingPadsEveryDimensionWithZeros() {
    Tensor a = fp32("h", new float[] {1, 2, 3, 4}, 1, 2, 2);
    Tensor b = fp32("h", new float[] {5, 6}, 1, 1, 2);
    Tensor s = Stacking.stack(List.of(a, b));
    assertArrayEquals(new long[] {2, 2, 2}, s.shape());
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 0, 0}, floats(s));
    Tensor v = Stacking.stack(List.of(fp32("v", new float[] {1, 2}, 2), fp32("v", new float[] {3}, 1)));
    assertArrayEquals(new float[] {1, 2, 3}, floats(v));
  }
}
