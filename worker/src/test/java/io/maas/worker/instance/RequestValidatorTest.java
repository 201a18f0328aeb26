package io.maas.worker.instance;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.inference.InferenceRequest;
import io.maas.model.TensorSpec;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestValidatorTest {

  /** max_batch_size 4; IDS INT32 [-1,16], SCALE FP32 [-1,2]; outputs A and B. */
  private static final ModelSignature BATCHED = new ModelSignature(4,
      List.of(new TensorSpec("IDS", DataType.INT32, new long[] {-1, 16}),
          new TensorSpec("SCALE", DataType.FP32, new long[] {-1, 2})),
      List.of(new TensorSpec("A", DataType.FP32, new long[] {-1, 16}),
          new TensorSpec("B", DataType.FP32, new long[] {-1})));

  private static Tensor tensor(String name, DataType type, long... shape) {
    long n = Tensor.elementCount(name, shape);
    return new Tensor(name, type, shape, new byte[(int) (n * type.elementSize())]);
  }

  private static Tensor ids(long batch) {
    return tensor("IDS", DataType.INT32, batch, 16);
  }

  private static Tensor scale(long batch) {
    return tensor("SCALE", DataType.FP32, batch, 2);
  }

  private static InferenceRequest request(List<Tensor> inputs, List<String> outputs) {
    return new InferenceRequest("net", "", "r1", inputs, outputs, null);
  }

  private static String rejected(ModelSignature sig, InferenceRequest r) {
    MaasException e = assertThrows(MaasException.class, () -> RequestValidator.validate("net", sig, r));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    return e.getMessage();
  }

  private static void assertContains(String message, String... parts) {
    for (String p : parts) {
      assertTrue(message.contains(p), "'" + message + "' should contain '" + p + "'");
    }
  }

  @Test
  void validRequestPasses() {
    assertDoesNotThrow(() -> RequestValidator.validate("net", BATCHED, request(List.of(ids(3), scale(3)), List.of())));
    assertDoesNotThrow(() -> RequestValidator.validate("net", BATCHED,
        request(List.of(scale(4), ids(4)), List.of("B", "A"))));
  }

  @Test
  void unknownInputIsRejectedListingTheModelsInputs() {
    String m = rejected(BATCHED,
        request(List.of(ids(1), scale(1), tensor("EXTRA", DataType.FP32, 1, 2)), List.of()));
    assertContains(m, "'EXTRA'", "'net'", "[IDS, SCALE]");
  }

  @Test
  void duplicateInputIsRejected() {
    String m = rejected(BATCHED, request(List.of(ids(1), ids(1), scale(1)), List.of()));
    assertContains(m, "'IDS'", "twice");
  }

  @Test
  void missingInputIsRejected() {
    String m = rejected(BATCHED, request(List.of(ids(1)), List.of()));
    assertContains(m, "missing input 'SCALE'", "[IDS, SCALE]");
  }

  @Test
  void wrongDatatypeIsRejectedWithExpectedAndReceived() {
    String m = rejected(BATCHED, request(List.of(tensor("IDS", DataType.INT64, 1, 16), scale(1)), List.of()));
    assertContains(m, "'IDS'", "expected datatype INT32", "got INT64");
  }

  @Test
  void wrongShapeIsRejectedWithExpectedAndReceived() {
    String m = rejected(BATCHED, request(List.of(tensor("IDS", DataType.INT32, 1, 8), scale(1)), List.of()));
    assertContains(m, "'IDS'", "expected shape [-1, 16]", "got [1, 8]");
  }

  @Test
  void wrongRankIsRejected() {
    String m = rejected(BATCHED, request(List.of(tensor("IDS", DataType.INT32, 16), scale(1)), List.of()));
    assertContains(m, "'IDS'", "got [16]");
  }

  @Test
  void batchOverMaxIsRejected() {
    String m = rejected(BATCHED, request(List.of(ids(5), scale(5)), List.of()));
    assertContains(m, "'IDS'", "batch size 5", "1..4");
  }

  @Test
  void emptyBatchIsRejected() {
    String m = rejected(BATCHED, request(List.of(ids(0), scale(0)), List.of()));
    assertContains(m, "'IDS'", "batch size 0", "1..4");
  }

  @Test
  void inconsistentBatchSizesAreRejected() {
    String m = rejected(BATCHED, request(List.of(ids(2), scale(3)), List.of()));
    assertContains(m, "'SCALE'", "batch size 3", "other inputs' 2");
  }

  @Test
  void unknownRequestedOutputIsRejected() {
    String m = rejected(BATCHED, request(List.of(ids(1), scale(1)), List.of("C")));
    assertContains(m, "'C'", "[A, B]");
  }

  @Test
  void duplicateRequestedOutputIsRejected() {
    String m = rejected(BATCHED, request(List.of(ids(1), scale(1)), List.of("A", "A")));
    assertContains(m, "'A'", "twice");
  }

  @Test
  void withoutBatchingTheFirstDimIsNotABatch() {
    ModelSignature fixed = new ModelSignature(0,
        List.of(new TensorSpec("X", DataType.FP32, new long[] {-1, 3})),
        List.of(new TensorSpec("Y", DataType.FP32, new long[] {-1, 3})));
    assertDoesNotThrow(() -> RequestValidator.validate("net", fixed,
        request(List.of(tensor("X", DataType.FP32, 100, 3)), List.of())));
  }
}
