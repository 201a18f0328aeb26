package io.maas.worker.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.maas.inference.InferenceRequest;
import io.maas.model.TensorSpec;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import io.maas.worker.instance.ModelSignature;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimOutputsTest {

  private static final ModelSignature SIG = new ModelSignature(8,
      List.of(new TensorSpec("IN", DataType.FP32, new long[] {-1, 3})),
      List.of(new TensorSpec("HIDDEN", DataType.FP32, new long[] {-1, -1, 4}),
          new TensorSpec("LABELS", DataType.BYTES, new long[] {-1, 2}),
          new TensorSpec("FLAG", DataType.BOOL, new long[] {1})));

  private static InferenceRequest request(long batch, List<String> outputs) {
    return new InferenceRequest("m", "", "r", List.of(
        new Tensor("IN", DataType.FP32, new long[] {batch, 3}, new byte[(int) batch * 12])), outputs, null);
  }

  @Test
  void batchDimensionComesFromTheFirstInputAndOtherDynamicDimensionsAreOne() {
    List<Tensor> out = SimOutputs.outputs(SIG, request(5, List.of()));
    assertEquals(List.of("HIDDEN", "LABELS", "FLAG"), out.stream().map(Tensor::name).toList());
    assertArrayEquals(new long[] {5, 1, 4}, out.get(0).shape());
    assertArrayEquals(new long[] {5, 2}, out.get(1).shape());
    assertArrayEquals(new long[] {1}, out.get(2).shape());
  }

  @Test
  void everyElementIsZeroAndBytesElementsAreEmptyStrings() {
    List<Tensor> out = SimOutputs.outputs(SIG, request(2, List.of()));
    assertArrayEquals(new byte[2 * 4 * 4], out.get(0).data());
    assertEquals(DataType.BYTES, out.get(1).datatype());
    assertArrayEquals(new byte[2 * 2 * 4], out.get(1).data()); // four 4-byte zero lengths
    assertArrayEquals(new byte[1], out.get(2).data());
  }

  @Test
  void onlyTheRequestedOutputsInTheModelsOrder() {
    List<Tensor> out = SimOutputs.outputs(SIG, request(1, List.of("FLAG", "HIDDEN")));
    assertEquals(List.of("HIDDEN", "FLAG"), out.stream().map(Tensor::name).toList());
  }

  @Test
  void batchSizeOfARequestWithoutInputsIsOne() {
    assertEquals(1, SimOutputs.batchSize(new InferenceRequest("m", "", "", List.of(), List.of(), null)));
    assertEquals(7, SimOutputs.batchSize(request(7, List.of())));
  }
}
