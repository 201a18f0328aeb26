package io.maas.gateway.repository;

import io.maas.gateway.routing.ModelView;
import io.maas.gateway.routing.WorkerRegistry;
import io.maas.model.ModelStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * The repository extension's index over the cluster: every model version some worker announced, once, in the
 * best state any worker holds it in (READY wins), with the reason when it is not ready. REST's
 * {@code POST /v2/repository/index} and gRPC's {@code RepositoryIndex} both list it.
 */
public final class RepositoryIndex {
  /**
   * One index entry.
   *
   * @param version "" for a model whose directory could not be read (no version to speak of)
   * @param state READY, LOADING, UNLOADING or UNAVAILABLE
   * @param reason why it is not ready ("" otherwise)
   */
  public record Entry(String name, String version, String state, String reason) {}

  private RepositoryIndex() {}

  /** @param readyOnly only the versions ready for inference (Triton's {@code ready} flag) */
  public static List<Entry> of(WorkerRegistry registry, boolean readyOnly) {
    List<Entry> index = new ArrayList<>();
    for (ModelView view : registry.models().values()) {
      view.statuses().stream().map(ModelStatus::version).distinct().sorted().forEach(v -> {
        ModelStatus s = view.statuses().stream().filter(x -> x.version().equals(v))
            .max((a, b) -> Boolean.compare(a.isReady(), b.isReady())).orElseThrow();
        if (!readyOnly || s.isReady()) {
          index.add(new Entry(s.name(), v, s.state().name(), s.reason()));
        }
      });
    }
    return index;
  }
}
