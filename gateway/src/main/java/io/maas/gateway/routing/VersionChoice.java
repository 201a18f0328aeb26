package io.maas.gateway.routing;

import io.maas.error.MaasException;
import io.maas.model.ModelPolicy;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * Which version of a model a request is served by. A version number names itself; a label names the version the
 * model's policy gives it ({@code version_labels}, as TF Serving's); no version is the policy's choice: with
 * {@code traffic} weights, a weighted random pick among the weighted versions READY somewhere (the weights
 * renormalised over those), else the highest version READY.
 *
 * <p>Not thread-safe with a {@code SplittableRandom}: call it on the gateway's context, as the edges do.
 */
public final class VersionChoice {
  private final Function<String, Optional<ModelView>> models;
  private final ModelPolicies policies;
  private final RandomGenerator random;
  /** Each model's weights in version order, kept while its effective policy is the same object. */
  private final Map<String, Split> splits = new ConcurrentHashMap<>();

  /**
   * @param models the model's view by name (the registry's)
   * @param random draws the weighted picks (tests seed it)
   */
  public VersionChoice(Function<String, Optional<ModelView>> models, ModelPolicies policies, RandomGenerator random) {
    this.models = models;
    this.policies = policies;
    this.random = random;
  }

  /**
   * The version a request names as the edges take it: "" (none), a version number (canonical decimal: "01" is "1")
   * or a version label.
   *
   * @throws MaasException INVALID_ARGUMENT for anything else
   */
  public static String requested(String version) {
    if (version.isEmpty() || ModelPolicy.isLabel(version)) {
      return version;
    }
    if (!isNumber(version)) {
      throw MaasException.invalid("version '%s' is neither a version number nor a version label",
          version.length() > 40 ? version.substring(0, 40) + "..." : version);
    }
    return Long.toString(Long.parseLong(version));
  }

  /**
   * The version to serve (or, for placement, to load) a request for a model by.
   *
   * @param version "" (the policy's choice), a version number or a label
   * @param includeNotReady whether the policy's choice may fall on a version READY nowhere (placement loads it on
   *     demand): the weighted pick then runs over every weighted version whatever its state, and without weights the
   *     highest version READY, else the highest held in any state
   * @return the version; "" when the policy's choice finds none (no version READY, or with {@code includeNotReady}
   *     none held at all)
   * @throws MaasException NOT_FOUND for an unknown model or label
   */
  public String choose(String model, String version, boolean includeNotReady) {
    return choose(view(model), version, includeNotReady);
  }

  /** The same, for a model's view at hand. */
  public String choose(ModelView view, String version, boolean includeNotReady) {
    if (!version.isEmpty()) {
      return named(view, version);
    }
    ModelPolicy policy = policies.policyOf(view);
    if (!policy.traffic().isEmpty()) {
      String picked = split(view.name(), policy).pick(view, includeNotReady, random);
      if (picked != null) {
        return picked;
      }
    }
    String ready = view.highestReady();
    return ready.isEmpty() && includeNotReady ? view.highestKnown() : ready;
  }

  /**
   * The version number a request names: a label's version, a number itself, "" for none (no pick: for the routes
   * that mean "any version" or "every version" by it).
   *
   * @throws MaasException NOT_FOUND for an unknown model or label
   */
  public String named(String model, String version) {
    return version.isEmpty() || isNumber(version) ? version : named(view(model), version);
  }

  /** The same, for a model's view at hand. */
  public String named(ModelView view, String version) {
    if (version.isEmpty() || isNumber(version)) {
      return version;
    }
    Map<String, String> labels = policies.policyOf(view).labels();
    String named = labels.get(version);
    if (named == null) {
      throw MaasException.notFound("unknown version label '%s' of model '%s'; labels: %s", version, view.name(),
          labels.keySet().stream().sorted().toList());
    }
    return named;
  }

  private ModelView view(String model) {
    return models.apply(model).orElseThrow(() -> MaasException.notFound("unknown model '%s'", model));
  }

  private static boolean isNumber(String version) {
    if (version.isEmpty() || version.length() > 18) {
      return false;
    }
    for (int i = 0; i < version.length(); i++) {
      char c = version.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private Split split(String model, ModelPolicy policy) {
    Split known = splits.get(model);
    if (known != null && known.policy == policy) {
      return known;
    }
    Split now = Split.of(policy);
    splits.put(model, now);
    return now;
  }

  /** A policy's traffic weights in ascending version order (a seeded random picks the same on every run). */
  private record Split(ModelPolicy policy, String[] versions, int[] weights) {
    static Split of(ModelPolicy policy) {
      String[] versions = policy.traffic().keySet().stream().sorted(Comparator.comparingLong(Long::parseLong))
          .toArray(String[]::new);
      int[] weights = new int[versions.length];
      for (int i = 0; i < versions.length; i++) {
        weights[i] = policy.traffic().get(versions[i]);
      }
      return new Split(policy, versions, weights);
    }

    /** A weighted pick among the eligible versions with weight above 0; null when none is eligible. */
    String pick(ModelView view, boolean includeNotReady, RandomGenerator random) {
      long total = 0;
      for (int i = 0; i < versions.length; i++) {
        if (eligible(i, view, includeNotReady)) {
          total += weights[i];
        }
      }
      if (total == 0) {
        return null;
      }
      long r = random.nextLong(total);
      for (int i = 0; i < versions.length; i++) {
        if (eligible(i, view, includeNotReady)) {
          if (r < weights[i]) {
            return versions[i];
          }
          r -= weights[i];
        }
      }
      throw new IllegalStateException("unreachable: the draw is below the total weight");
    }

    private boolean eligible(int i, ModelView view, boolean includeNotReady) {
      return weights[i] > 0 && (includeNotReady || view.isReady(versions[i]));
    }
  }
}
