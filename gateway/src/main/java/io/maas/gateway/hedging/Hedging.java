package io.maas.gateway.hedging;

import io.maas.config.HedgeConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's hedging ({@code gateway.hedge_*}): one {@link ModelHedge} per model, made when the model's
 * first request is dispatched (models only: a name reaches dispatch once a worker announced it).
 */
public final class Hedging {
  private final HedgeConfig config;
  private final MeterRegistry registry;
  private final Map<String, ModelHedge> models = new ConcurrentHashMap<>();

  public Hedging(HedgeConfig config, MeterRegistry registry) {
    this.config = config;
    this.registry = registry;
  }

  /** The model's hedging state; null when hedging is off. */
  public ModelHedge forModel(String model) {
    return config.enabled() ? models.computeIfAbsent(model, m -> new ModelHedge(m, config, registry)) : null;
  }
}
