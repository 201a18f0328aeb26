package io.maas.worker.instance;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.model.TensorSpec;
import io.maas.tensor.Tensor;
import io.maas.worker.runtime.OrtTypes;
import io.maas.worker.runtime.TensorConverter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One ONNX Runtime session of one model version on one device (Triton's model instance). Its
 * {@link #run} blocks: call it on a worker thread, never on an event loop.
 */
public final class ModelInstance implements AutoCloseable {
  private final OrtSession session;
  private final TensorConverter converter;

  public ModelInstance(OrtSession session, TensorConverter converter) {
    this.session = session;
    this.converter = converter;
  }

  /** The inputs as the ONNX model declares them. */
  public List<TensorSpec> declaredInputs() throws OrtException {
    return specs("input", session.getInputInfo());
  }

  /** The outputs as the ONNX model declares them. */
  public List<TensorSpec> declaredOutputs() throws OrtException {
    return specs("output", session.getOutputInfo());
  }

  private static List<TensorSpec> specs(String kind, Map<String, NodeInfo> infos) {
    List<TensorSpec> out = new ArrayList<>();
    infos.forEach((name, node) -> {
      if (!(node.getInfo() instanceof TensorInfo info)) {
        throw new IllegalArgumentException(kind + " '" + name + "' is not a tensor (" + node.getInfo() + ")");
      }
      out.add(new TensorSpec(name,
          OrtTypes.dataType(info.onnxType).orElseThrow(() -> new IllegalArgumentException(
              kind + " '" + name + "' has element type " + info.onnxType + ", which KServe has no datatype for")),
          info.getShape()));
    });
    return out;
  }

  /**
   * Runs validated inputs and returns the wanted model outputs by name, in the order of {@code wanted}.
   *
   * @param times where the conversion and run times are added
   */
  public Map<String, Tensor> run(List<Tensor> tensors, Set<String> wanted, RunTimes times) {
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      long start = System.nanoTime();
      for (Tensor t : tensors) {
        inputs.put(t.name(), converter.toOrt(t));
      }
      long converted = System.nanoTime();
      times.inputNanos += converted - start;
      try (OrtSession.Result result = session.run(inputs, wanted)) {
        long ran = System.nanoTime();
        times.inferNanos += ran - converted;
        Map<String, Tensor> outputs = new LinkedHashMap<>();
        for (String name : wanted) {
          OnnxValue v = result.get(name).orElseThrow();
          outputs.put(name, converter.fromOrt(name, (OnnxTensor) v));
        }
        times.outputNanos += System.nanoTime() - ran;
        return outputs;
      }
    } catch (OrtException e) {
      throw runFailure(e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  /**
   * Inputs were validated against the signature, so what ORT still rejects at run time (token ids past
   * an embedding table, inputs whose dynamic dimensions disagree) is about the data the client sent: a
   * 400. Failures of the engine or the device are 500s.
   */
  static MaasException runFailure(OrtException e) {
    return switch (e.getCode()) {
      case ORT_INVALID_ARGUMENT, ORT_FAIL, ORT_RUNTIME_EXCEPTION, ORT_INVALID_GRAPH ->
          new MaasException(ErrorCode.INVALID_ARGUMENT, "the model rejected the input: " + e.getMessage());
      default -> new MaasException(ErrorCode.INTERNAL, "inference failed: " + e.getMessage(), e);
    };
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
