package io.maas.gateway.grpc;

import io.maas.error.MaasException;
import io.maas.gateway.grpc.v2.InferParameter;
import io.maas.gateway.grpc.v2.ModelInferRequest;
import io.maas.gateway.grpc.v2.ModelInferRequest.InferInputTensor;
import io.maas.gateway.grpc.v2.ModelInferRequest.InferRequestedOutputTensor;
import io.maas.gateway.grpc.v2.ModelInferResponse;
import io.maas.gateway.grpc.v2.ModelInferResponse.InferOutputTensor;
import io.maas.gateway.routing.VersionChoice;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * ModelInferRequest to {@link InferenceRequest} and {@link InferenceResponse} to ModelInferResponse, with
 * every check the contract leaves to the server: datatype names, shapes against element counts, raw
 * byte lengths, contents of the datatype's own type, no mixing of raw and typed inputs (Triton rejects it
 * too), and limits on everything the client controls.
 */
final class InferMessages {
  static final int MAX_TENSORS = 1024;
  static final int MAX_RANK = 16;
  static final int MAX_PARAMETERS = 64;

  private InferMessages() {}

  /**
   * The model version a request names: "" (the policy's choice), a decimal number, normalised, or a version label
   * (resolved by the model's policy).
   */
  static String version(String v) {
    return VersionChoice.requested(v);
  }

  static String modelName(String name) {
    if (name.isEmpty()) {
      throw MaasException.invalid("the model name is empty");
    }
    return name;
  }

  static InferenceRequest decode(ModelInferRequest m, long maxTensorElements) {
    String model = modelName(m.getModelName());
    String version = version(m.getModelVersion());
    if (m.getInputsCount() > MAX_TENSORS || m.getOutputsCount() > MAX_TENSORS) {
      throw MaasException.invalid("%d inputs and %d requested outputs: the limit is %d each",
          m.getInputsCount(), m.getOutputsCount(), MAX_TENSORS);
    }
    boolean raw = m.getRawInputContentsCount() > 0;
    if (raw && m.getRawInputContentsCount() != m.getInputsCount()) {
      throw MaasException.invalid("raw_input_contents has %d entries for %d inputs: give one per input, in order",
          m.getRawInputContentsCount(), m.getInputsCount());
    }
    List<Tensor> inputs = new ArrayList<>(m.getInputsCount());
    for (int i = 0; i < m.getInputsCount(); i++) {
      InferInputTensor in = m.getInputs(i);
      String name = in.getName();
      if (name.isEmpty()) {
        throw MaasException.invalid("inputs[%d] has no name", i);
      }
      DataType type = datatype(name, in.getDatatype());
      long[] shape = shape(name, in.getShapeList());
      parameters(in.getParametersMap(), "input '" + name + "'");
      if (raw) {
        if (in.hasContents() && GrpcTensors.valueCount(in.getContents()) > 0) {
          throw MaasException.invalid("input '%s' has typed contents but the request uses raw_input_contents: "
              + "send every input raw or every input typed, not both", name);
        }
        inputs.add(GrpcTensors.fromRaw(name, type, shape, m.getRawInputContents(i), maxTensorElements));
      } else {
        inputs.add(GrpcTensors.fromContents(name, type, shape, in.getContents(), maxTensorElements));
      }
    }
    List<String> outputs = new ArrayList<>(m.getOutputsCount());
    for (int i = 0; i < m.getOutputsCount(); i++) {
      InferRequestedOutputTensor out = m.getOutputs(i);
      if (out.getName().isEmpty()) {
        throw MaasException.invalid("outputs[%d] has no name", i);
      }
      parameters(out.getParametersMap(), "output '" + out.getName() + "'");
      outputs.add(out.getName());
    }
    return new InferenceRequest(model, version, m.getId(), inputs, outputs,
        parameters(m.getParametersMap(), "the request"));
  }

  private static DataType datatype(String input, String name) {
    if (name.isEmpty()) {
      throw MaasException.invalid("input '%s' has no datatype", input);
    }
    try {
      return DataType.parse(name);
    } catch (MaasException e) {
      throw MaasException.invalid("input '%s': %s", input, e.getMessage());
    }
  }

  private static long[] shape(String input, List<Long> dims) {
    if (dims.size() > MAX_RANK) {
      throw MaasException.invalid("input '%s': a rank of %d is over the limit of %d", input, dims.size(), MAX_RANK);
    }
    long[] shape = new long[dims.size()];
    for (int d = 0; d < shape.length; d++) {
      shape[d] = dims.get(d);
      if (shape[d] < 0) {
        throw MaasException.invalid("input '%s': shape %s must hold non-negative integers", input, dims);
      }
    }
    return shape;
  }

  /** KServe parameters as the pipeline carries them (JSON values); a parameter with no value is an error. */
  static JsonObject parameters(Map<String, InferParameter> params, String owner) {
    if (params.size() > MAX_PARAMETERS) {
      throw MaasException.invalid("%s has %d parameters: the limit is %d", owner, params.size(), MAX_PARAMETERS);
    }
    JsonObject json = new JsonObject();
    params.forEach((key, p) -> json.put(key, switch (p.getParameterChoiceCase()) {
      case BOOL_PARAM -> p.getBoolParam();
      case INT64_PARAM -> p.getInt64Param();
      case STRING_PARAM -> p.getStringParam();
      case DOUBLE_PARAM -> p.getDoubleParam();
      case UINT64_PARAM -> p.getUint64Param() >= 0 ? (Object) p.getUint64Param()
          : new BigInteger(Long.toUnsignedString(p.getUint64Param()));
      case PARAMETERCHOICE_NOT_SET -> throw MaasException.invalid("parameter '%s' of %s has no value", key, owner);
    }));
    return json;
  }

  /**
   * The response: raw_output_contents when the request sent raw inputs (as Triton answers) or an output
   * has no typed form (FP16), typed contents otherwise.
   */
  static ModelInferResponse encode(InferenceResponse r, boolean rawRequested) {
    boolean raw = rawRequested || r.outputs().stream().anyMatch(t -> !GrpcTensors.hasTypedContents(t.datatype()));
    ModelInferResponse.Builder b = ModelInferResponse.newBuilder()
        .setModelName(r.model())
        .setModelVersion(r.version())
        .setId(r.id())
        .putAllParameters(toParameters(r.parameters()));
    for (Tensor t : r.outputs()) {
      InferOutputTensor.Builder out = InferOutputTensor.newBuilder()
          .setName(t.name())
          .setDatatype(t.datatype().name());
      for (long d : t.shape()) {
        out.addShape(d);
      }
      if (raw) {
        b.addRawOutputContents(GrpcTensors.toRaw(t));
      } else {
        out.setContents(GrpcTensors.toContents(t));
      }
      b.addOutputs(out);
    }
    return b.build();
  }

  static Map<String, InferParameter> toParameters(JsonObject json) {
    Map<String, InferParameter> out = new java.util.LinkedHashMap<>();
    json.forEach(e -> {
      Object v = e.getValue();
      InferParameter.Builder p = InferParameter.newBuilder();
      if (v instanceof Boolean bool) {
        p.setBoolParam(bool);
      } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
        p.setInt64Param(((Number) v).longValue());
      } else if (v instanceof Number n) {
        p.setDoubleParam(n.doubleValue());
      } else if (v instanceof String s) {
        p.setStringParam(s);
      } else {
        p.setStringParam(String.valueOf(v instanceof JsonObject || v instanceof io.vertx.core.json.JsonArray
            ? io.vertx.core.json.Json.encode(v) : v));
      }
      out.put(e.getKey(), p.build());
    });
    return out;
  }
}
