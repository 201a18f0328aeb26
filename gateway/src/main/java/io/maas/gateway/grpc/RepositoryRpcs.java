package io.maas.gateway.grpc;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.gateway.grpc.v2.ModelRepositoryParameter;
import io.maas.gateway.grpc.v2.RepositoryIndexRequest;
import io.maas.gateway.grpc.v2.RepositoryIndexResponse;
import io.maas.gateway.grpc.v2.RepositoryIndexResponse.ModelIndex;
import io.maas.gateway.grpc.v2.RepositoryModelLoadRequest;
import io.maas.gateway.grpc.v2.RepositoryModelLoadResponse;
import io.maas.gateway.grpc.v2.RepositoryModelUnloadRequest;
import io.maas.gateway.grpc.v2.RepositoryModelUnloadResponse;
import io.maas.gateway.repository.LoadParameters;
import io.maas.gateway.repository.RepositoryControl;
import io.maas.gateway.repository.RepositoryIndex;
import io.maas.gateway.routing.WorkerRegistry;
import io.maas.gateway.tenancy.Caller;
import io.vertx.core.Future;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Triton's repository RPCs, as REST's repository index and {@code RepositoryRoutes} serve them: the index of
 * the cluster, and cluster-wide load (with an optional {@code config} parameter) and unload, which answer once
 * every worker holding the model made the change. Load and unload are administrative: the admin token, or
 * anyone when keys are off; API keys get PERMISSION_DENIED. maas has one model repository (each worker's):
 * a named one ({@code repository_name}) is refused.
 */
final class RepositoryRpcs {
  private final WorkerRegistry registry;
  private final RepositoryControl control;

  RepositoryRpcs(WorkerRegistry registry, RepositoryControl control) {
    this.registry = registry;
    this.control = control;
  }

  Future<RepositoryIndexResponse> index(RepositoryIndexRequest r) {
    oneRepository(r.getRepositoryName());
    RepositoryIndexResponse.Builder b = RepositoryIndexResponse.newBuilder();
    for (RepositoryIndex.Entry e : RepositoryIndex.of(registry, r.getReady())) {
      b.addModels(ModelIndex.newBuilder().setName(e.name()).setVersion(e.version()).setState(e.state())
          .setReason(e.reason()));
    }
    return Future.succeededFuture(b.build());
  }

  Future<RepositoryModelLoadResponse> load(RepositoryModelLoadRequest r, Caller caller) {
    authorize(caller);
    oneRepository(r.getRepositoryName());
    String model = InferMessages.modelName(r.getModelName());
    Map<String, Object> values = new LinkedHashMap<>();
    r.getParametersMap().forEach((name, p) -> values.put(name, value(p)));
    LoadParameters load = LoadParameters.of(values);
    return control.load(model, load.config(), load.files(), load.policy()).map(RepositoryModelLoadResponse.getDefaultInstance());
  }

  /** Parameters (Triton's unload_dependents) change nothing: models have no dependents here. */
  Future<RepositoryModelUnloadResponse> unload(RepositoryModelUnloadRequest r, Caller caller) {
    authorize(caller);
    oneRepository(r.getRepositoryName());
    return control.unload(InferMessages.modelName(r.getModelName()))
        .map(RepositoryModelUnloadResponse.getDefaultInstance());
  }

  private static void authorize(Caller caller) {
    if (!caller.mayManageRepository()) {
      throw new MaasException(ErrorCode.PERMISSION_DENIED,
          "loading and unloading models needs the admin token (API keys may not)");
    }
  }

  private static void oneRepository(String name) {
    if (!name.isEmpty()) {
      throw MaasException.invalid("repository_name '%s': maas serves one model repository, leave it empty",
          name.length() > 80 ? name.substring(0, 80) + "..." : name);
    }
  }

  private static Object value(ModelRepositoryParameter p) {
    return switch (p.getParameterChoiceCase()) {
      case STRING_PARAM -> p.getStringParam();
      case BOOL_PARAM -> p.getBoolParam();
      case INT64_PARAM -> p.getInt64Param();
      case BYTES_PARAM -> p.getBytesParam();
      case PARAMETERCHOICE_NOT_SET -> null;
    };
  }
}
