package io.maas.worker.batching;

import io.maas.inference.InferenceResponse;
import java.util.List;

/**
 * The answers to one batch, in the order of its requests, and where its time went.
 *
 * @param answers one per request
 * @param inputNanos merging the requests and converting them to the runtime's tensors
 * @param inferNanos in the runtime
 * @param outputNanos converting and splitting the outputs
 */
public record BatchResult(List<Answer> answers, long inputNanos, long inferNanos, long outputNanos) {

  public BatchResult {
    answers = List.copyOf(answers);
  }

  /** One request's answer: its response, or why it failed. */
  public record Answer(InferenceResponse response, RuntimeException failure) {

    public static Answer of(InferenceResponse response) {
      return new Answer(response, null);
    }

    public static Answer failed(RuntimeException failure) {
      return new Answer(null, failure);
    }

    public boolean succeeded() {
      return failure == null;
    }
  }
}
