package io.maas.config;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;

/**
 * How the set of models a worker serves may change while it runs, in Triton's words.
 *
 * @param mode {@link Mode#NONE}: the repository as it was at start, no changes; {@link Mode#POLL}: the
 *     repository is read again every {@code repositoryPollSeconds} (new models and versions load, removed ones
 *     unload, changed files or configuration reload); {@link Mode#EXPLICIT}: the set changes only through the
 *     repository API (load, unload); {@link Mode#PLACED}: the cluster's placement chooses the models (by
 *     memory and traffic, loading on demand, see {@code docs/placement.md}); the repository API's unload takes a
 *     model out of placement, its load puts it back
 * @param loadModels in explicit mode, the models loaded at start: names, or {@code *} for every model
 * @param repositoryPollSeconds in poll mode, how often the repository is read again
 */
public record ModelControlConfig(Mode mode, List<String> loadModels, long repositoryPollSeconds) {
  /** Triton's model control modes. */
  public enum Mode { NONE, POLL, EXPLICIT, PLACED }

  /** The quick start's: explicit, every model loaded at start, so the repository API works out of the box. */
  public static final ModelControlConfig DEFAULT = new ModelControlConfig(Mode.EXPLICIT, List.of("*"), 15);

  public ModelControlConfig {
    loadModels = List.copyOf(loadModels);
    if (repositoryPollSeconds < 1) {
      throw new IllegalArgumentException("worker.repository_poll_secs must be 1 or more, not " + repositoryPollSeconds);
    }
  }

  /** Whether a model is loaded at start (placed mode: none; the placement chooses). */
  public boolean loadsAtStart(String model) {
    return switch (mode) {
      case NONE, POLL -> true;
      case EXPLICIT -> loadModels.contains("*") || loadModels.contains(model);
      case PLACED -> false;
    };
  }

  static ModelControlConfig fromJson(JsonObject worker) {
    String word = ConfigValues.text(worker, "worker", "model_control_mode");
    Mode mode = switch (word.toLowerCase(Locale.ROOT)) {
      case "none" -> Mode.NONE;
      case "poll" -> Mode.POLL;
      case "explicit" -> Mode.EXPLICIT;
      case "placed" -> Mode.PLACED;
      default -> throw new IllegalArgumentException(
          "worker.model_control_mode must be none, poll, explicit or placed, not '" + word + "'");
    };
    return new ModelControlConfig(mode, ConfigValues.textList(worker, "worker", "load_model"),
        ConfigValues.positiveLong(worker, "worker", "repository_poll_secs"));
  }
}
