package io.maas.worker.repository;

import io.maas.config.WorkerConfig;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Where a worker's models come from: the model repository, or models named with their own base paths. */
public interface ModelSource {
  /** Every model the source holds; one that cannot be served is listed with its error. */
  List<ModelDefinition> scan();

  /**
   * One model, read now.
   *
   * @param configOverride a model configuration used instead of the model's own file (the repository API's
   *     {@code config} parameter); null: the model's own
   * @return empty when the source does not hold the model
   * @throws io.maas.error.MaasException INVALID_ARGUMENT for a name that is not a plain model name
   */
  Optional<ModelDefinition> find(String name, JsonObject configOverride);

  /**
   * The directory uploaded files of a model go to.
   *
   * @throws io.maas.error.MaasException INVALID_ARGUMENT where files cannot be uploaded (models named with base
   *     paths are the operator's, read only)
   */
  Path directoryOf(String name);

  /** The worker's source: its base-path models when it lists any, else its model repository. */
  static ModelSource of(WorkerConfig config) {
    return config.models().isEmpty() ? new ModelRepository(config.modelRepository()) : new BasePathSource(config.models());
  }
}
