package io.maas.worker.instance;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.tensor.Tensor;
import io.maas.worker.text.TextModel;
import io.maas.worker.text.TextRun;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Function;

/**
 * One model version loaded on one device slot: its signature and its instances. A request borrows an
 * idle instance for the length of one run, so each instance runs one request at a time. A text model
 * also tokenises text requests (before borrowing an instance) and computes its pooled output.
 */
public final class LoadedModel implements AutoCloseable {
  private final String name;
  private final String version;
  private final ModelSignature signature;
  private final List<ModelInstance> instances;
  private final BlockingQueue<ModelInstance> idle;
  private final TextModel text;

  public LoadedModel(String name, String version, ModelSignature signature, List<ModelInstance> instances) {
    this(name, version, signature, instances, null);
  }

  /**
   * @param text the text side of a text model (closed with this model), or null
   */
  public LoadedModel(String name, String version, ModelSignature signature, List<ModelInstance> instances,
      TextModel text) {
    this.name = name;
    this.version = version;
    this.signature = signature;
    this.instances = List.copyOf(instances);
    this.idle = new ArrayBlockingQueue<>(instances.size(), false, instances);
    this.text = text;
  }

  public String name() {
    return name;
  }

  public String version() {
    return version;
  }

  public ModelSignature signature() {
    return signature;
  }

  public int instanceCount() {
    return instances.size();
  }

  /** Validates and runs a request. Blocks: call it on a worker thread. */
  public InferenceResponse infer(InferenceRequest request) {
    RequestValidator.validate(name, signature, request);
    if (text == null) {
      List<Tensor> outputs = withInstance(i -> i.run(request, signature.outputNames()));
      return new InferenceResponse(name, version, request.id(), outputs, null);
    }
    TextRun run = text.prepare(request);
    String pooled = text.config().output();
    List<String> wanted = signature.outputNames().stream()
        .filter(n -> request.outputs().isEmpty() || request.outputs().contains(n)).toList();
    Set<String> fromModel = new LinkedHashSet<>();
    for (String n : wanted) {
      fromModel.add(n.equals(pooled) ? text.source() : n);
    }
    Map<String, List<Tensor>> parts = new LinkedHashMap<>();
    wanted.forEach(n -> parts.put(n, new ArrayList<>()));
    withInstance(instance -> {
      for (TextRun.Part part : run.parts()) {
        Map<String, Tensor> raw = instance.run(part.inputs(), fromModel);
        for (String n : wanted) {
          parts.get(n).add(n.equals(pooled) ? text.pool(raw.get(text.source()), part.mask()) : raw.get(n));
        }
      }
      return null;
    });
    List<Tensor> outputs = wanted.stream().map(n -> TextModel.stack(parts.get(n))).toList();
    return new InferenceResponse(name, version, request.id(), outputs, run.parameters());
  }

  private <T> T withInstance(Function<ModelInstance, T> work) {
    ModelInstance instance;
    try {
      instance = idle.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MaasException(ErrorCode.UNAVAILABLE, "interrupted while waiting for an instance of " + name);
    }
    try {
      return work.apply(instance);
    } finally {
      idle.add(instance);
    }
  }

  @Override
  public void close() throws Exception {
    for (ModelInstance i : instances) {
      i.close();
    }
    if (text != null) {
      text.close();
    }
  }
}
