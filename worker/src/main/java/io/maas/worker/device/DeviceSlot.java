package io.maas.worker.device;

import io.maas.worker.repository.ModelDefinition;
import io.maas.worker.stats.ModelObserver;
import io.vertx.core.Future;

/**
 * What runs requests on one device slot: ONNX Runtime sessions on {@code cpu} or {@code cuda:N} ({@link OrtSlot}),
 * or the SIMULATED device {@code sim} (package {@code sim}). {@code io.maas.worker.DeviceSlots} opens the one the
 * slot's device names.
 */
public interface DeviceSlot {

  /** The device the slot really runs on, as announced: {@code cpu}, {@code cuda:0}, {@code sim}... */
  String device();

  /**
   * Loads one version of a model onto this slot.
   *
   * @param observer told of every execution and answer of this model version
   */
  Future<ServedModel> load(ModelDefinition model, long version, ModelObserver observer);

  /** Releases the slot's own resources, once its models are closed. Blocking: call it on a worker thread. */
  void close();
}
