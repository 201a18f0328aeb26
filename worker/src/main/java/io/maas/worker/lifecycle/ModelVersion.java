package io.maas.worker.lifecycle;

import io.maas.model.ModelStatus;
import io.maas.worker.device.ServedModel;
import io.maas.worker.stats.ModelMetrics;
import io.maas.worker.stats.ModelStatistics;

/**
 * One model version on one worker slot: its state (with the reason when it is not READY) and, once it
 * loaded, the model serving it with its statistics (KServe) and meters (Prometheus).
 *
 * @param served null unless the version loaded
 * @param statistics null unless the version loaded
 * @param metrics null unless the version loaded
 */
record ModelVersion(ModelStatus status, ServedModel served, ModelStatistics statistics, ModelMetrics metrics) {
  static ModelVersion of(ModelStatus status) {
    return new ModelVersion(status, null, null, null);
  }

  boolean isServing() {
    return served != null && status.isReady();
  }
}
