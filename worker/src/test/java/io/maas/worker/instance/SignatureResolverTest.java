package io.maas.worker.instance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.model.TensorSpec;
import io.maas.tensor.DataType;
import io.maas.worker.repository.InstancePlacement;
import io.maas.worker.repository.ModelConfig;
import io.maas.worker.repository.VersionPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

class SignatureResolverTest {

  private static TensorSpec spec(String name, DataType type, long... shape) {
    return new TensorSpec(name, type, shape);
  }

  private static ModelConfig config(Integer maxBatch, List<TensorSpec> inputs, List<TensorSpec> outputs) {
    return new ModelConfig("m", maxBatch, inputs, outputs, InstancePlacement.DEFAULT, VersionPolicy.DEFAULT,
        ModelConfig.DEFAULT_MODEL_FILENAME);
  }

  private static final List<TensorSpec> SIMPLE_IN = List.of(
      spec("INPUT0", DataType.INT32, -1, 16), spec("INPUT1", DataType.INT32, -1, 16));
  private static final List<TensorSpec> SIMPLE_OUT = List.of(
      spec("OUTPUT0", DataType.INT32, -1, 16), spec("OUTPUT1", DataType.INT32, -1, 16));

  @Test
  void withoutConfigTheModelsShapesAreUsedAndNothingIsBatched() {
    ModelSignature sig = SignatureResolver.resolve(ModelConfig.inferred("m"), SIMPLE_IN, SIMPLE_OUT, 0);
    assertEquals(0, sig.maxBatchSize());
    assertEquals(SIMPLE_IN, sig.inputs());
    assertEquals(SIMPLE_OUT, sig.outputs());
  }

  @Test
  void defaultMaxBatchSizeAppliesWhenEveryFirstDimIsDynamic() {
    ModelSignature sig = SignatureResolver.resolve(ModelConfig.inferred("m"), SIMPLE_IN, SIMPLE_OUT, 32);
    assertEquals(32, sig.maxBatchSize());
    assertEquals(SIMPLE_IN, sig.inputs());
  }

  @Test
  void defaultMaxBatchSizeDoesNotApplyWhenAFirstDimIsFixed() {
    List<TensorSpec> out = List.of(spec("OUTPUT0", DataType.INT32, 1, 16));
    ModelSignature sig = SignatureResolver.resolve(ModelConfig.inferred("m"), SIMPLE_IN, out, 32);
    assertEquals(0, sig.maxBatchSize());
  }

  @Test
  void configuredDimsGainTheBatchDimension() {
    ModelConfig c = config(8, List.of(spec("INPUT0", DataType.INT32, 16)), List.of());
    ModelSignature sig = SignatureResolver.resolve(c, SIMPLE_IN, SIMPLE_OUT, 0);
    assertEquals(8, sig.maxBatchSize());
    assertArrayEquals(new long[] {-1, 16}, sig.input("INPUT0").orElseThrow().shape());
    assertArrayEquals(new long[] {-1, 16}, sig.input("INPUT1").orElseThrow().shape());
    assertEquals(List.of("INPUT0", "INPUT1"), sig.inputNames());
    assertEquals(SIMPLE_OUT, sig.outputs());
  }

  @Test
  void unknownConfiguredInputIsRejectedNamingItAndListingTheModelsInputs() {
    ModelConfig c = config(8, List.of(spec("NOPE", DataType.INT32, 16)), List.of());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SignatureResolver.resolve(c, SIMPLE_IN, SIMPLE_OUT, 0));
    assertTrue(e.getMessage().contains("'NOPE'"), e.getMessage());
    assertTrue(e.getMessage().contains("[INPUT0, INPUT1]"), e.getMessage());
  }

  @Test
  void unknownConfiguredOutputIsRejected() {
    ModelConfig c = config(null, List.of(), List.of(spec("OUT9", DataType.INT32, -1, 16)));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SignatureResolver.resolve(c, SIMPLE_IN, SIMPLE_OUT, 0));
    assertTrue(e.getMessage().contains("'OUT9'"), e.getMessage());
    assertTrue(e.getMessage().contains("[OUTPUT0, OUTPUT1]"), e.getMessage());
  }

  @Test
  void datatypeMismatchIsRejectedNamingBothTypes() {
    ModelConfig c = config(8, List.of(spec("INPUT1", DataType.FP32, 16)), List.of());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SignatureResolver.resolve(c, SIMPLE_IN, SIMPLE_OUT, 0));
    assertTrue(e.getMessage().contains("'INPUT1'"), e.getMessage());
    assertTrue(e.getMessage().contains("FP32"), e.getMessage());
    assertTrue(e.getMessage().contains("INT32"), e.getMessage());
  }

  @Test
  void dimsMismatchIsRejectedNamingBothShapes() {
    ModelConfig c = config(8, List.of(spec("INPUT0", DataType.INT32, 8)), List.of());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SignatureResolver.resolve(c, SIMPLE_IN, SIMPLE_OUT, 0));
    assertTrue(e.getMessage().contains("'INPUT0'"), e.getMessage());
    assertTrue(e.getMessage().contains("[8]"), e.getMessage());
    assertTrue(e.getMessage().contains("[-1, 16]"), e.getMessage());
  }

  @Test
  void rankMismatchWithoutBatchingIsRejected() {
    ModelConfig c = config(0, List.of(spec("INPUT0", DataType.INT32, 16)), List.of());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SignatureResolver.resolve(c, SIMPLE_IN, SIMPLE_OUT, 0));
    assertTrue(e.getMessage().contains("'INPUT0'"), e.getMessage());
  }

  @Test
  void maxBatchSizeOnAModelWithAFixedFirstDimIsRejected() {
    List<TensorSpec> in = List.of(spec("X", DataType.FP32, 4, 16));
    List<TensorSpec> out = List.of(spec("Y", DataType.FP32, 4, 16));
    ModelConfig c = config(8, List.of(), List.of());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SignatureResolver.resolve(c, in, out, 0));
    assertTrue(e.getMessage().contains("max_batch_size is 8"), e.getMessage());
    assertTrue(e.getMessage().contains("'X'"), e.getMessage());
    assertTrue(e.getMessage().contains("[4, 16]"), e.getMessage());
  }

  @Test
  void configuredDimsNarrowADynamicModelDim() {
    List<TensorSpec> in = List.of(spec("X", DataType.FP32, -1, -1));
    List<TensorSpec> out = List.of(spec("Y", DataType.FP32, -1, -1));
    ModelConfig c = config(8, List.of(spec("X", DataType.FP32, 4)), List.of());
    ModelSignature sig = SignatureResolver.resolve(c, in, out, 0);
    assertEquals(8, sig.maxBatchSize());
    assertArrayEquals(new long[] {-1, 4}, sig.input("X").orElseThrow().shape());
    assertArrayEquals(new long[] {-1, -1}, sig.output("Y").orElseThrow().shape());
  }

  @Test
  void configuredDynamicDimKeepsTheModelsFixedDim() {
    ModelConfig c = config(0, List.of(spec("INPUT0", DataType.INT32, -1, -1)), List.of());
    ModelSignature sig = SignatureResolver.resolve(c, SIMPLE_IN, SIMPLE_OUT, 0);
    assertEquals(0, sig.maxBatchSize());
    assertArrayEquals(new long[] {-1, 16}, sig.input("INPUT0").orElseThrow().shape());
  }
}
