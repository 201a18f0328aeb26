package io.maas.worker.batching;

import io.maas.worker.stats.ModelObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Keeps what a batcher reports, for assertions. */
public final class RecordingObserver implements ModelObserver {
  public record Execution(int requests, long batchSize, long inputNanos, long inferNanos, long outputNanos) {}

  public record Completion(boolean success, long items, long queueNanos, long totalNanos) {}

  public final List<Execution> executions = new CopyOnWriteArrayList<>();
  public final List<Completion> completions = new CopyOnWriteArrayList<>();
  public final AtomicInteger rejections = new AtomicInteger();

  @Override
  public void executed(int requests, long batchSize, long inputNanos, long inferNanos, long outputNanos) {
    executions.add(new Execution(requests, batchSize, inputNanos, inferNanos, outputNanos));
  }

  @Override
  public void completed(boolean success, long items, long queueNanos, long totalNanos) {
    completions.add(new Completion(success, items, queueNanos, totalNanos));
  }

  @Override
  public void rejected() {
    rejections.incrementAndGet();
  }

  public List<Integer> batchRequests() {
    return executions.stream().map(Execution::requests).toList();
  }
}
