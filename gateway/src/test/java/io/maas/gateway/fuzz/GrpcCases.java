package io.maas.gateway.fuzz;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.maas.gateway.fuzz.Models.Input;
import io.maas.gateway.fuzz.Models.Model;
import io.maas.gateway.grpc.v2.InferParameter;
import io.maas.gateway.grpc.v2.InferTensorContents;
import io.maas.gateway.grpc.v2.ModelInferRequest;
import io.maas.gateway.grpc.v2.ModelMetadataRequest;
import io.maas.gateway.grpc.v2.ModelReadyRequest;
import io.vertx.grpc.health.v1.HealthCheckRequest;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Calls to the gRPC port: every method of {@code inference.GRPCInferenceService} and {@code grpc.health.v1.Health},
 * TF Serving's {@code PredictionService/Predict} (not served) and methods that do not exist. Messages start valid
 * and are mutated as protobuf (names 8 KB long, datatypes and shapes that lie, values out of their type's range,
 * raw contents of the wrong length, odd parameters) and as bytes; framing is mutated too (empty body, a cut-short
 * prefix, a prefix longer than its data, two messages on a unary call, the compressed flag with no, identity,
 * unknown or gzip encoding, a declared length over the limit); and so are headers (content type, te, grpc-timeout,
 * API key, metadata over the server's limit).
 */
final class GrpcCases {
  private static final String V2 = "/inference.GRPCInferenceService/";

  private GrpcCases() {}

  static FuzzCase next(Mutations m) {
    Model model = Models.any(m);
    String name = Models.name(m, model);
    boolean unavailable = name.equals(model.name()) && !model.available();
    int kind = m.random.nextInt(100);
    String method;
    MessageLite message;
    boolean stream = false;
    boolean watch = false;
    if (kind < 45) {
      method = V2 + "ModelInfer";
      message = infer(m, model, name);
    } else if (kind < 53) {
      method = V2 + "ModelStreamInfer";
      message = infer(m, model, name);
      stream = true;
    } else if (kind < 61) {
      method = V2 + "ModelMetadata";
      message = ModelMetadataRequest.newBuilder().setName(name).setVersion(version(m)).build();
    } else if (kind < 67) {
      method = V2 + "ModelReady";
      message = ModelReadyRequest.newBuilder().setName(name).setVersion(version(m)).build();
    } else if (kind < 75) {
      method = V2 + m.pick("ServerLive", "ServerReady", "ServerMetadata");
      message = ModelReadyRequest.getDefaultInstance(); // empty: the same bytes as every empty request
    } else if (kind < 88) {
      method = "/grpc.health.v1.Health/" + m.pick("Check", "Check", "List", "Watch");
      watch = method.endsWith("Watch");
      message = HealthCheckRequest.newBuilder()
          .setService(m.pick("", "inference.GRPCInferenceService", "grpc.health.v1.Health", "nope", "x".repeat(9_000)))
          .build();
    } else if (kind < 91) {
      method = "/tensorflow.serving.PredictionService/" + m.pick("Predict", "GetModelMetadata");
      message = infer(m, model, name);
    } else {
      method = m.pick("/inference.GRPCInferenceService/Nope", "/nope.Service/Call", "/", "/inference.GRPCInferenceService",
          "/inference.GRPCInferenceService/ModelInfer/x", "//ModelInfer", "/" + "s".repeat(5_000) + "/m");
      message = ModelReadyRequest.getDefaultInstance();
    }
    byte[] bytes = message.toByteArray();
    if (m.chance(0.15)) {
      bytes = m.mutateBytes(bytes);
    }
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    headers.add(Map.entry(":method", m.chance(0.97) ? "POST" : m.pick("GET", "PUT")));
    headers.add(Map.entry(":scheme", "http"));
    headers.add(Map.entry(":path", method));
    headers.add(Map.entry(":authority", "127.0.0.1"));
    String contentType = m.chance(0.9) ? "application/grpc" : m.pick("application/grpc+proto", "application/grpc+json",
        "application/grpc-web", "application/json", "text/plain", "application/grpc;charset=x", "");
    if (!contentType.isEmpty()) {
      headers.add(Map.entry("content-type", contentType));
    }
    if (m.chance(0.95)) {
      headers.add(Map.entry("te", "trailers"));
    }
    switch (m.random.nextInt(20)) {
      case 0 -> { } // no key
      case 1 -> headers.add(Map.entry("authorization", m.pick("Bearer nope", "Bearer ", "Basic x")));
      case 2 -> headers.add(Map.entry("x-api-key", RestCases.KEY));
      default -> headers.add(Map.entry("authorization", "Bearer " + RestCases.KEY));
    }
    boolean timeout = m.chance(0.08);
    if (timeout) {
      headers.add(Map.entry("grpc-timeout", m.pick("1n", "1m", "100m", "99999999H", "-1S", "abc", "1", "", "5S")));
    }
    if (m.chance(0.05)) {
      headers.add(Map.entry("x-request-id", m.pick("", "a b", "x".repeat(2_000), "ünï")));
    }
    if (m.chance(0.03)) {
      headers.add(Map.entry("x-bin-bin", m.pick("!!!", "AAA", "")));
    }
    boolean oversized = m.chance(0.04);
    if (oversized) {
      if (m.chance(0.5)) {
        headers.add(Map.entry("x-big", "m".repeat(m.between(9_000, 40_000))));
      } else {
        for (int i = m.between(600, 2_000); i > 0; i--) {
          headers.add(Map.entry("x-meta-" + i, "value-" + i));
        }
      }
    }
    Framed framed = frame(m, bytes, stream, headers);
    boolean asksForADeadline = timeout || new String(bytes, StandardCharsets.ISO_8859_1).contains("timeout");
    return new GrpcCase(method.length() > 80 ? method.substring(0, 80) + "..." : method, headers, framed.body(),
        watch, new GrpcCase.Allowed(unavailable, asksForADeadline, framed.misflagged(), oversized));
  }

  /** A body and whether its framing flags a message compressed on a call without an encoding. */
  record Framed(byte[] body, boolean misflagged) {}

  /** Frames the message, or mutates the framing; may add a grpc-encoding header. */
  private static Framed frame(Mutations m, byte[] message, boolean stream,
      List<Map.Entry<String, String>> headers) {
    if (m.chance(0.7)) {
      return new Framed(stream ? concat(prefixed(0, message), prefixed(0, message)) : prefixed(0, message), false);
    }
    return switch (m.random.nextInt(12)) {
      case 0 -> new Framed(null, false); // no DATA at all: HEADERS end the stream
      case 1 -> new Framed(new byte[0], false);
      case 2 -> new Framed(java.util.Arrays.copyOf(prefixed(0, message), m.between(1, 4)), false);
      case 3 -> new Framed(withLength(prefixed(0, message), message.length + m.between(1, 1_000)), false);
      case 4 -> new Framed(concat(prefixed(0, message), prefixed(0, message)), false); // two messages
      case 5 -> new Framed(prefixed(0, new byte[0]), false);
      case 6 -> new Framed(withLength(prefixed(0, message), m.pick(0x7fffffff, 0xffffffff, (2 << 20) + 1)), false);
      case 7 -> {
        String encoding = m.pick("none", "identity", "snappy", "gzip", "gzip");
        if (!encoding.equals("none")) {
          headers.add(Map.entry("grpc-encoding", encoding));
        }
        byte[] payload = encoding.equals("gzip") && m.chance(0.7) ? RestCases.gzip(message) : message;
        yield new Framed(prefixed(1, payload), encoding.equals("none") || encoding.equals("identity"));
      }
      case 8 -> new Framed(prefixed(m.between(2, 255), message), false); // a flag byte that is neither 0 nor 1
      case 9 -> new Framed(concat(prefixed(0, message), m.randomBytes(m.between(1, 8))), false);
      case 10 -> new Framed(m.randomBytes(m.between(1, 300)), false);
      default -> {
        headers.add(Map.entry("grpc-encoding", "gzip"));
        yield new Framed(prefixed(0, message), false); // declared, not used: legal
      }
    };
  }

  private static byte[] prefixed(int flag, byte[] message) {
    ByteBuffer b = ByteBuffer.allocate(5 + message.length);
    b.put((byte) flag).putInt(message.length).put(message);
    return b.array();
  }

  private static byte[] withLength(byte[] framed, long length) {
    byte[] out = framed.clone();
    ByteBuffer.wrap(out).putInt(1, (int) length);
    return out;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(a);
    out.writeBytes(b);
    return out.toByteArray();
  }

  private static String version(Mutations m) {
    return m.chance(0.7) ? "" : m.pick(Models.STRANGE_VERSIONS);
  }

  /** A ModelInferRequest for the model, valid or mutated field by field. */
  private static ModelInferRequest infer(Mutations m, Model model, String name) {
    ModelInferRequest.Builder r = ModelInferRequest.newBuilder().setModelName(name).setModelVersion(version(m));
    if (m.chance(0.2)) {
      r.setId(m.pick("fuzz", "", "x".repeat(9_000)));
    }
    boolean raw = !model.text() && m.chance(0.3) || model.inputs().get(0).datatype().equals("FP16");
    for (Input in : model.inputs()) {
      long[] shape = Models.concreteShape(m, in);
      long count = Models.count(shape);
      ModelInferRequest.InferInputTensor.Builder t = ModelInferRequest.InferInputTensor.newBuilder()
          .setName(m.chance(0.93) ? in.name() : m.pick("", "nope", "x".repeat(9_000)))
          .setDatatype(m.chance(0.93) ? in.datatype() : m.pick(Mutations.DATATYPES));
      if (m.chance(0.93)) {
        for (long d : shape) {
          t.addShape(d);
        }
      } else {
        for (Object d : m.shape()) {
          t.addShape(d instanceof Number n ? n.longValue() : -7);
        }
      }
      if (raw) {
        byte[] bytes = m.randomBytes((int) count * elementSize(in.datatype()));
        r.addRawInputContents(ByteString.copyFrom(m.chance(0.85) ? bytes : m.mutateBytes(bytes)));
      } else {
        t.setContents(contents(m, in.datatype(), count));
      }
      if (m.chance(0.05)) {
        t.putParameters("binary_data_size", InferParameter.newBuilder().setInt64Param(-1).build());
      }
      r.addInputs(t);
    }
    if (m.chance(0.1)) {
      r.addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder()
          .setName(m.pick("OUTPUT0", "embedding", "nope", "")));
    }
    if (m.chance(0.1)) {
      r.putParameters(m.pick("timeout", "priority", "binary_data_output", ""), m.pick(
          InferParameter.newBuilder().setInt64Param(m.pick(1L, 0L, -5L, Long.MAX_VALUE)).build(),
          InferParameter.newBuilder().setStringParam("soon").build(),
          InferParameter.newBuilder().setDoubleParam(Double.NaN).build(),
          InferParameter.newBuilder().setBoolParam(true).build(),
          InferParameter.getDefaultInstance()));
    }
    if (m.chance(0.03)) {
      r.addRawInputContents(ByteString.copyFrom(m.randomBytes(8))); // mixed raw and typed
    }
    return r.build();
  }

  /** Typed contents: in the datatype's own field with values in range, mostly; else out of range or elsewhere. */
  private static InferTensorContents contents(Mutations m, String datatype, long count) {
    InferTensorContents.Builder c = InferTensorContents.newBuilder();
    String field = m.chance(0.9) ? datatype : m.pick(Mutations.DATATYPES);
    long n = m.chance(0.9) ? count : m.pick(0L, count + 1, Math.max(0, count - 1), 5_000L);
    boolean outOfRange = m.chance(0.1);
    for (long i = 0; i < n; i++) {
      switch (field) {
        case "BOOL" -> c.addBoolContents(m.random.nextBoolean());
        case "INT8", "INT16", "INT32" -> c.addIntContents(outOfRange ? m.pick(128, -129, 32768, Integer.MIN_VALUE)
            : ((Number) Models.value(m, datatype.startsWith("INT") ? datatype : "INT8")).intValue());
        case "UINT8", "UINT16", "UINT32" -> c.addUintContents(outOfRange ? m.pick(256, 65536, -1) : m.between(0, 255));
        case "INT64" -> c.addInt64Contents(m.chance(0.9) ? m.between(0, 1000) : Long.MIN_VALUE);
        case "UINT64" -> c.addUint64Contents(m.chance(0.9) ? m.between(0, 1000) : -1L);
        case "FP32" -> c.addFp32Contents(outOfRange ? m.pick(Float.NaN, Float.POSITIVE_INFINITY) : m.between(-99, 99) / 4f);
        case "FP64" -> c.addFp64Contents(outOfRange ? m.pick(Double.NaN, Double.NEGATIVE_INFINITY) : m.between(-99, 99) / 4.0);
        default -> c.addBytesContents(ByteString.copyFromUtf8((String) Models.value(m, "BYTES")));
      }
    }
    return c.build();
  }

  private static int elementSize(String datatype) {
    return switch (datatype) {
      case "BOOL", "UINT8", "INT8" -> 1;
      case "UINT16", "INT16", "FP16" -> 2;
      case "UINT32", "INT32", "FP32" -> 4;
      case "BYTES" -> 5;
      default -> 8;
    };
  }
}
