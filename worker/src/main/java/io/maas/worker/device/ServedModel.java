package io.maas.worker.device;

import io.maas.inference.InferenceRequest;
import io.maas.worker.batching.Queueing;
import io.maas.inference.InferenceResponse;
import io.maas.worker.instance.ModelSignature;
import io.vertx.core.Future;
import java.util.OptionalLong;

/**
 * One model version ready to serve on one device slot: ONNX Runtime sessions ({@link OrtModel}) or the
 * simulated device ({@link io.maas.worker.sim.SimulatedModel}).
 */
public interface ServedModel {

  String name();

  String version();

  ModelSignature signature();

  /** How many requests this model runs at once on its slot (Triton's instance count). */
  int instanceCount();

  /**
   * Validates the request against the signature and runs it on a free instance (waiting for one when all
   * are busy). Never blocks the calling thread.
   */
  Future<InferenceResponse> infer(InferenceRequest request, Queueing queueing);

  /** Runs a request that came with no ticket (no key, the default level, no deadline). */
  default Future<InferenceResponse> infer(InferenceRequest request) {
    return infer(request, Queueing.untracked());
  }

  /**
   * The memory the model took as it loaded on its slot, measured there (on the simulated device: what it is taken
   * to occupy); empty where it could not be measured.
   */
  OptionalLong footprintBytes();

  /**
   * The SHA-256 its model file was checked against before it loaded, and matched (lower-case hex); "" where none was
   * stated (or on the simulated device, which serves no file).
   */
  default String sha256() {
    return "";
  }

  /** Requests waiting for an execution now (a live gauge: the autoscaling signal). */
  default int queued() {
    return 0;
  }

  /** Releases what the model holds. Blocking: call it on a worker thread. */
  void close() throws Exception;
}
