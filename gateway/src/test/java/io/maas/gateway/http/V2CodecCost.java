package io.maas.gateway.http;

import io.maas.gateway.edge.EdgeLimits;
import io.maas.inference.InferenceResponse;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Bytes allocated and time per request of the V2 REST codec, the boxed one ({@link BoxedV2Json}) against
 * the streaming one, on one thread. A measurement, not a test: run its main with the test classpath.
 */
public final class V2CodecCost {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final EdgeLimits LIMITS = new EdgeLimits(16_777_216, 1024);

  private V2CodecCost() {}

  public static void main(String[] args) {
    Random random = new Random(1);
    Buffer miniLm = request(random, DataType.INT64, new long[] {1, 16}, "input_ids", "attention_mask", "token_type_ids");
    InferenceResponse embedding = response(random, new long[] {1, 384});
    Buffer large = request(random, DataType.FP32, new long[] {64, 1024}, "INPUT0");
    InferenceResponse largeOut = response(random, new long[] {64, 1024});
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    for (int r = 0; r < rounds; r++) {
      System.out.println("| case | codec | bytes/request | µs/request |");
      System.out.println("|---|---|---:|---:|");
      measure("MiniLM-16 request (3 × INT64 [1,16])", 20_000,
          () -> BoxedV2Json.decodeRequest("m", "", miniLm, null, LIMITS),
          () -> V2Json.decodeRequest("m", "", miniLm, null, LIMITS));
      measure("MiniLM response (FP32 [1,384])", 20_000,
          () -> BoxedV2Json.encodeResponse(embedding, V2Json.BinaryOutputs.NONE).header().toBuffer(),
          () -> V2Json.encodeResponse(embedding, V2Json.BinaryOutputs.NONE).body());
      measure("large request (FP32 [64,1024])", 200,
          () -> BoxedV2Json.decodeRequest("m", "", large, null, LIMITS),
          () -> V2Json.decodeRequest("m", "", large, null, LIMITS));
      measure("large response (FP32 [64,1024])", 200,
          () -> BoxedV2Json.encodeResponse(largeOut, V2Json.BinaryOutputs.NONE).header().toBuffer(),
          () -> V2Json.encodeResponse(largeOut, V2Json.BinaryOutputs.NONE).body());
    }
  }

  static void measure(String what, int iterations, Supplier<?> boxed, Supplier<?> streamed) {
    for (int warm = 0; warm < 3; warm++) { // JIT both before measuring either
      run(boxed, iterations);
      run(streamed, iterations);
    }
    long[] b = run(boxed, iterations);
    long[] s = run(streamed, iterations);
    System.out.printf(Locale.ROOT, "| %s | boxed (JsonObject) | %,d | %.1f |%n", what, b[0] / iterations, b[1] / 1e3 / iterations);
    System.out.printf(Locale.ROOT, "| %s | streaming | %,d | %.1f |%n", what, s[0] / iterations, s[1] / 1e3 / iterations);
  }

  private static long[] run(Supplier<?> codec, int iterations) {
    long bytes = THREADS.getCurrentThreadAllocatedBytes();
    long start = System.nanoTime();
    Object sink = null;
    for (int i = 0; i < iterations; i++) {
      sink = codec.get();
    }
    long nanos = System.nanoTime() - start;
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - bytes;
    if (sink == null) {
      throw new IllegalStateException();
    }
    return new long[] {allocated, nanos};
  }

  static Buffer request(Random random, DataType type, long[] shape, String... names) {
    JsonArray inputs = new JsonArray();
    int count = (int) (shape[0] * shape[1]);
    for (String name : names) {
      JsonArray data = new JsonArray();
      for (int i = 0; i < count; i++) {
        data.add(type == DataType.INT64 ? (Object) (long) random.nextInt(30_522) : (Object) (float) random.nextGaussian());
      }
      inputs.add(new JsonObject().put("name", name).put("datatype", type.name())
          .put("shape", new JsonArray().add(shape[0]).add(shape[1])).put("data", data));
    }
    return new JsonObject().put("inputs", inputs).toBuffer();
  }

  static InferenceResponse response(Random random, long[] shape) {
    int count = (int) (shape[0] * shape[1]);
    ByteBuffer data = ByteBuffer.allocate(count * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < count; i++) {
      data.putFloat((float) random.nextGaussian());
    }
    return new InferenceResponse("m", "1", "", List.of(new Tensor("out", DataType.FP32, shape, data.array())), null);
  }
}
