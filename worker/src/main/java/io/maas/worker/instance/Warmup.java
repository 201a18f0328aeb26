package io.maas.worker.instance;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.worker.batching.BatchResult;
import io.maas.worker.repository.ModelWarmup;
import io.maas.worker.stats.ModelObserver;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a freshly loaded version's {@code model_warmup} samples, as Triton does before a model is READY: each
 * sample {@code count} times on every instance (each session pays for its own first runs), through the same
 * path as a batch of requests (a batching model's runs merged, a text model's texts tokenised). Every run is
 * reported to the version's observer as an execution (so {@code execution_count} includes them); no request
 * is counted as answered. Blocking: call it on the worker thread that loaded the model, before anything can
 * reach it.
 */
public final class Warmup {
  private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);

  private Warmup() {}

  /**
   * What a warmup did.
   *
   * @param samples the samples run
   * @param runs the executions, over every instance
   * @param nanos how long it took, from making the samples to the last run
   */
  public record Result(int samples, int runs, long nanos) {
    /** Nothing to run. */
    public static final Result NONE = new Result(0, 0, 0);
  }

  /**
   * @param modelDir the model's directory, where data files are read from
   * @param merge whether the model batches (its runs merge requests, as its executions do when serving)
   * @throws MaasException naming the sample and why: one that does not fit the model, or whose run failed
   */
  public static Result run(LoadedModel model, List<ModelWarmup> warmups, Path modelDir, boolean merge,
      ModelObserver observer) {
    if (warmups.isEmpty()) {
      return Result.NONE;
    }
    long start = System.nanoTime();
    List<WarmupSamples.Sample> samples = WarmupSamples.of(model.name(), model.version(), model.signature(), warmups,
        modelDir);
    int runs = 0;
    for (WarmupSamples.Sample s : samples) {
      long items = BatchKeys.items(model.signature(), s.request());
      for (int round = 1; round <= s.count(); round++) {
        List<BatchResult> results = model.runOnEachInstance(List.of(s.request()), merge);
        for (int instance = 0; instance < results.size(); instance++) {
          BatchResult r = results.get(instance);
          observer.executed(1, items, r.inputNanos(), r.inferNanos(), r.outputNanos());
          runs++;
          BatchResult.Answer answer = r.answers().get(0);
          if (!answer.succeeded()) {
            MaasException cause = answer.failure() instanceof MaasException m ? m : null;
            throw new MaasException(cause == null ? ErrorCode.INTERNAL : cause.code(),
                String.format("warmup sample '%s' failed (run %d of %d on instance %d of %d): %s", s.name(), round,
                    s.count(), instance + 1, results.size(), answer.failure().getMessage()), answer.failure());
          }
        }
      }
    }
    Result result = new Result(samples.size(), runs, System.nanoTime() - start);
    LOG.info("model {} version {} warmed up in {} ms: {} sample(s), {} run(s) on {} instance(s)", model.name(),
        model.version(), String.format("%.1f", result.nanos() / 1e6), result.samples(), result.runs(),
        model.instanceCount());
    return result;
  }
}
