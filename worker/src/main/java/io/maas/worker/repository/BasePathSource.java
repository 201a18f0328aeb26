package io.maas.worker.repository;

import io.maas.model.ModelNames;
import io.maas.config.ModelBasePath;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Models named with their own base paths (TF Serving's way): the listed ones, read again when asked. */
final class BasePathSource implements ModelSource {
  private final List<ModelBasePath> models;

  BasePathSource(List<ModelBasePath> models) {
    this.models = List.copyOf(models);
  }

  @Override
  public List<ModelDefinition> scan() {
    return BasePathModels.read(models);
  }

  @Override
  public Path directoryOf(String name) {
    throw io.maas.error.MaasException.invalid("this worker serves models named with base paths (worker.models): "
        + "model files cannot be uploaded to it");
  }

  @Override
  public Optional<ModelDefinition> find(String name, JsonObject configOverride) {
    ModelNames.check(name);
    return models.stream().filter(m -> m.name().equals(name)).findFirst().map(m -> {
      try {
        ModelDefinition read = BasePathModels.read(m);
        return configOverride == null ? read
            : ModelRepository.versions(name, m.basePath(), ModelConfig.fromJson(name, configOverride));
      } catch (IllegalArgumentException e) {
        return new ModelDefinition(name, ModelConfig.inferred(name), java.util.Map.of(), e.getMessage());
      }
    });
  }
}
