package io.maas.worker.instance;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.tensor.Tensor;
import io.maas.worker.batching.BatchResult;
import io.maas.worker.text.TextModel;
import io.maas.worker.text.TextRun;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * One model version loaded on one device slot: its signature and its instances. A batch borrows an idle
 * instance for the length of its runs, so each instance runs one batch at a time. A text model also
 * tokenises text requests and computes its pooled output.
 *
 * <p>A batch of requests becomes session runs this way: each request gives one or more <em>parts</em>
 * (a tensor request: its inputs; a text request: one part per text, or one padded part with
 * {@code padded_batch}); when merging, parts whose inputs agree in everything but the batch dimension
 * (for texts: in token length, so nothing is padded) run as ONE session run, merged along dimension 0,
 * and the outputs are cut back per part and stacked per request. Without merging each part runs alone.
 */
public final class LoadedModel implements AutoCloseable {
  private final String name;
  private final String version;
  private final ModelSignature signature;
  private final List<ModelInstance> instances;
  private final BlockingQueue<ModelInstance> idle;
  private final TextModel text;
  private final String sha256;

  public LoadedModel(String name, String version, ModelSignature signature, List<ModelInstance> instances) {
    this(name, version, signature, instances, null, "");
  }

  /**
   * @param text the text side of a text model (closed with this model), or null
   * @param sha256 the SHA-256 its file was checked against and matched (lower-case hex); "" where none was stated
   */
  public LoadedModel(String name, String version, ModelSignature signature, List<ModelInstance> instances,
      TextModel text, String sha256) {
    this.sha256 = sha256;
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

  /** The SHA-256 its model file was checked against (and matched); "" where none was stated. */
  public String sha256() {
    return sha256;
  }

  /** Whether this is a text model (it tokenises BYTES text inputs). */
  public boolean isText() {
    return text != null;
  }

  /** Validates and runs one request alone. Blocks: call it on a worker thread. */
  public InferenceResponse infer(InferenceRequest request) {
    RequestValidator.validate(name, signature, request);
    BatchResult.Answer answer = runBatch(List.of(request), false).answers().get(0);
    if (!answer.succeeded()) {
      throw answer.failure();
    }
    return answer.response();
  }

  /**
   * Runs validated requests on one instance and answers each; a request that fails fails alone where it
   * can (a merged run the model rejects as invalid input is re-run part by part, so only the bad request
   * fails). Blocks: call it on a worker thread.
   *
   * @param merge whether parts that agree in their non-batch dimensions share one session run
   */
  public BatchResult runBatch(List<InferenceRequest> requests, boolean merge) {
    return runBatch(requests, merge, this::withInstance);
  }

  /**
   * Runs validated requests as {@link #runBatch} does, once on EACH instance in turn (a warmup: every
   * session's first runs). Only while no request can reach the model: it takes no instance from the idle
   * ones. Blocks: call it on a worker thread.
   *
   * @return one result per instance, in instance order
   */
  public List<BatchResult> runOnEachInstance(List<InferenceRequest> requests, boolean merge) {
    List<BatchResult> results = new ArrayList<>(instances.size());
    for (ModelInstance instance : instances) {
      results.add(runBatch(requests, merge, work -> work.accept(instance)));
    }
    return results;
  }

  /** @param onInstance runs the session runs on the instance it chooses */
  private BatchResult runBatch(List<InferenceRequest> requests, boolean merge,
      Consumer<Consumer<ModelInstance>> onInstance) {
    RunTimes times = new RunTimes();
    long start = System.nanoTime();
    int n = requests.size();
    RuntimeException[] failures = new RuntimeException[n];
    List<Part> parts = new ArrayList<>();
    JsonObject[] parameters = new JsonObject[n];
    for (int r = 0; r < n; r++) {
      try {
        TextRun run = text == null ? null : text.prepare(requests.get(r));
        List<TextRun.Part> runParts = run == null
            ? List.of(new TextRun.Part(requests.get(r).inputs(), null)) : run.parts();
        parameters[r] = run == null ? null : run.parameters();
        List<String> wanted = signature.wantedOutputs(requests.get(r));
        for (TextRun.Part part : runParts) {
          parts.add(new Part(r, part, wanted));
        }
      } catch (RuntimeException e) {
        failures[r] = e;
      }
    }
    times.inputNanos += System.nanoTime() - start;
    onInstance.accept(instance -> {
      for (List<Part> group : groups(parts, merge)) {
        runGroup(instance, group, failures, times);
      }
    });
    long assemble = System.nanoTime();
    List<BatchResult.Answer> answers = new ArrayList<>(n);
    for (int r = 0; r < n; r++) {
      answers.add(failures[r] != null ? BatchResult.Answer.failed(failures[r]) : answer(requests.get(r), r, parts,
          parameters[r]));
    }
    times.outputNanos += System.nanoTime() - assemble;
    return new BatchResult(answers, times.inputNanos, times.inferNanos, times.outputNanos);
  }

  private BatchResult.Answer answer(InferenceRequest request, int r, List<Part> parts, JsonObject parameters) {
    List<Part> own = parts.stream().filter(p -> p.request == r).toList();
    List<Tensor> outputs = new ArrayList<>();
    for (String output : own.get(0).wanted) {
      List<Tensor> pieces = own.stream().map(p -> p.outputs.get(output)).toList();
      outputs.add(pieces.size() == 1 ? pieces.get(0) : TextModel.stack(pieces));
    }
    return BatchResult.Answer.of(new InferenceResponse(name, version, request.id(), outputs, parameters));
  }

  /** The session runs: parts that can be merged grouped in order, or each part alone. */
  private static List<List<Part>> groups(List<Part> parts, boolean merge) {
    if (!merge) {
      return parts.stream().map(List::of).toList();
    }
    Map<List<Object>, List<Part>> groups = new LinkedHashMap<>();
    for (Part p : parts) {
      groups.computeIfAbsent(p.mergeKey(), k -> new ArrayList<>()).add(p);
    }
    return List.copyOf(groups.values());
  }

  private void runGroup(ModelInstance instance, List<Part> group, RuntimeException[] failures, RunTimes times) {
    List<Part> live = group.stream().filter(p -> failures[p.request] == null).toList();
    if (live.isEmpty()) {
      return;
    }
    try {
      runMerged(instance, live, times);
    } catch (MaasException e) {
      if (e.code() != ErrorCode.INVALID_ARGUMENT || live.size() == 1) {
        live.forEach(p -> failures[p.request] = e);
        return;
      }
      for (Part p : live) { // one request's data may be what the model rejects: only it should fail
        try {
          runMerged(instance, List.of(p), times);
        } catch (RuntimeException alone) {
          failures[p.request] = alone;
        }
      }
    } catch (RuntimeException e) {
      live.forEach(p -> failures[p.request] = e);
    }
  }

  /** One session run over the parts merged along dimension 0; each part gets its rows of every output. */
  private void runMerged(ModelInstance instance, List<Part> group, RunTimes times) {
    long start = System.nanoTime();
    List<String> wanted = group.get(0).wanted;
    List<Tensor> inputs = new ArrayList<>();
    for (int i = 0; i < group.get(0).part.inputs().size(); i++) {
      String input = group.get(0).part.inputs().get(i).name();
      inputs.add(Rows.concat(group.stream().map(p -> p.input(input)).toList()));
    }
    long[] rows = new long[group.size()];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = group.get(i).rows();
    }
    times.inputNanos += System.nanoTime() - start;
    Map<String, Tensor> raw = instance.run(inputs, fromModel(wanted), times);
    long outputs = System.nanoTime();
    for (String output : wanted) {
      Tensor merged = text != null && output.equals(text.config().output())
          ? text.pool(raw.get(text.source()), mask(group)) : raw.get(output);
      List<Tensor> split = group.size() == 1 ? List.of(merged) : Rows.split(merged, rows);
      for (int i = 0; i < group.size(); i++) {
        group.get(i).outputs.put(output, split.get(i));
      }
    }
    times.outputNanos += System.nanoTime() - outputs;
  }

  /** The model outputs a run must compute: the wanted ones, the pooled output read from its source. */
  private Set<String> fromModel(List<String> wanted) {
    Set<String> names = new LinkedHashSet<>();
    for (String n : wanted) {
      names.add(text != null && n.equals(text.config().output()) ? text.source() : n);
    }
    return names;
  }

  private static long[] mask(List<Part> group) {
    if (group.size() == 1) {
      return group.get(0).part.mask();
    }
    int length = group.stream().mapToInt(p -> p.part.mask().length).sum();
    long[] mask = new long[length];
    int at = 0;
    for (Part p : group) {
      System.arraycopy(p.part.mask(), 0, mask, at, p.part.mask().length);
      at += p.part.mask().length;
    }
    return mask;
  }

  /** One session run's worth of one request, and the outputs it got. */
  private static final class Part {
    final int request;
    final TextRun.Part part;
    final List<String> wanted;
    final Map<String, Tensor> outputs = new LinkedHashMap<>();

    Part(int request, TextRun.Part part, List<String> wanted) {
      this.request = request;
      this.part = part;
      this.wanted = wanted;
    }

    Tensor input(String name) {
      return part.inputs().stream().filter(t -> t.name().equals(name)).findFirst()
          .orElseThrow(() -> new MaasException(ErrorCode.INTERNAL, "input '" + name + "' missing from a batch part"));
    }

    long rows() {
      return part.inputs().get(0).shape().length == 0 ? 1 : part.inputs().get(0).shape()[0];
    }

    /** What parts must share to run merged: input names, datatypes and non-batch dims, and the outputs. */
    List<Object> mergeKey() {
      return BatchKeys.tensorKey(part.inputs(), wanted);
    }
  }

  private void withInstance(Consumer<ModelInstance> work) {
    ModelInstance instance;
    try {
      instance = idle.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MaasException(ErrorCode.UNAVAILABLE, "interrupted while waiting for an instance of " + name);
    }
    try {
      work.accept(instance);
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
