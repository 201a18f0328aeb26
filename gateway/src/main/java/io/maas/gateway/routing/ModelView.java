package io.maas.gateway.routing;

import io.maas.model.ModelReadyState;
import io.maas.model.ModelStatus;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A model as the whole cluster holds it: every version's status on every worker, merged.
 *
 * @param name the model name
 * @param statuses one status per (worker, version)
 */
public record ModelView(String name, List<ModelStatus> statuses) {

  /** The versions READY somewhere, ascending. */
  public List<String> readyVersions() {
    return statuses.stream().filter(ModelStatus::isReady).map(ModelStatus::version).distinct()
        .sorted(Comparator.comparingLong(Long::parseLong)).toList();
  }

  /** Whether a version is READY on some worker (a loop: this is on the request path). */
  public boolean isReady(String version) {
    for (ModelStatus s : statuses) {
      if (s.isReady() && s.version().equals(version)) {
        return true;
      }
    }
    return false;
  }

  /** The highest version READY somewhere, or "" when none is. */
  public String highestReady() {
    return highest(true);
  }

  /** The highest version any worker holds in any state, or "" when none names one. */
  public String highestKnown() {
    return highest(false);
  }

  private String highest(boolean readyOnly) {
    String best = "";
    long bestNumber = -1;
    for (ModelStatus s : statuses) {
      if ((!readyOnly || s.isReady()) && !s.version().isEmpty()) {
        long n = Long.parseLong(s.version());
        if (n > bestNumber) {
          bestNumber = n;
          best = s.version();
        }
      }
    }
    return best;
  }

  /** Every version some worker holds, in any state, ascending. */
  public List<String> knownVersions() {
    return statuses.stream().map(ModelStatus::version).filter(v -> !v.isEmpty()).distinct()
        .sorted(Comparator.comparingLong(Long::parseLong)).toList();
  }

  /** The status describing a version READY somewhere (its signature), if any. */
  public Optional<ModelStatus> ready(String version) {
    return statuses.stream().filter(s -> s.isReady() && s.version().equals(version)).findFirst();
  }

  /** Whether any worker has this version at all (in any state). */
  public boolean knows(String version) {
    return statuses.stream().anyMatch(s -> s.version().equals(version));
  }

  /** The best account of why a version is not ready: LOADING over UNAVAILABLE, with reasons. */
  public String notReadyReason(String version) {
    if (statuses.isEmpty()) {
      return "no worker holds it now";
    }
    List<ModelStatus> relevant = statuses.stream()
        .filter(s -> version.isEmpty() || s.version().equals(version) || s.version().isEmpty()).toList();
    if (relevant.stream().anyMatch(s -> s.state() == ModelReadyState.LOADING)) {
      return "it is loading";
    }
    return relevant.stream().filter(s -> !s.reason().isEmpty()).map(ModelStatus::reason).findFirst()
        .map(r -> "it is unavailable: " + r).orElse("it is unavailable");
  }
}
