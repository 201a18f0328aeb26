package io.maas.gateway.pipeline;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's request meters, recorded once per inference request whatever its edge (REST, gRPC):
 * {@code maas_gateway_requests_total} and {@code maas_gateway_request_duration_seconds}, tagged by
 * {@code model} and {@code code} ({@code OK} or the {@link io.maas.error.ErrorCode} name). A model name
 * no worker ever announced is tagged {@link #UNKNOWN_MODEL}, so clients cannot grow the tag set.
 */
public final class GatewayMetrics {
  public static final String UNKNOWN_MODEL = "_unknown";
  private static final Duration[] BUCKETS = {
      Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofNanos(2_500_000),
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

  private final MeterRegistry registry;
  private final Map<Key, Meters> meters = new ConcurrentHashMap<>();
  private final Map<Key, Counter> byKey = new ConcurrentHashMap<>();

  private record Key(String model, String code) {}

  private record Meters(Counter requests, Timer duration) {}

  public GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Meters kept nowhere: for tests and embedders that do not scrape. */
  public static GatewayMetrics none() {
    return new GatewayMetrics(new CompositeMeterRegistry());
  }

  /** Where the gateway's meters are registered (the hedging meters join them). */
  public MeterRegistry registry() {
    return registry;
  }

  /**
   * One request ended.
   *
   * @param model the model tag: a known model's name or {@link #UNKNOWN_MODEL}
   * @param code {@code OK} or the error code's name
   */
  public void record(String model, String code, long nanos) {
    Meters m = meters.computeIfAbsent(new Key(model, code), this::register);
    m.requests().increment();
    m.duration().record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * One request of an API key ended: {@code maas_gateway_key_requests_total{key, code}}, the key's public id (never
   * its secret; as many series as keys that were used times their outcomes, which the admin API bounds), so that
   * an operator sees which key's requests are cancelled, time out or are refused.
   *
   * @param keyId the key's id ({@code Caller.tenant()}); none is counted without a key
   */
  public void recordKey(String keyId, String code) {
    if (keyId.isEmpty()) {
      return;
    }
    byKey.computeIfAbsent(new Key(keyId, code), k -> Counter.builder("maas.gateway.key.requests")
        .description("inference requests the gateway answered, by API key id and outcome code")
        .tags("key", k.model(), "code", k.code())
        .register(registry)).increment();
  }

  private Meters register(Key k) {
    return new Meters(
        Counter.builder("maas.gateway.requests")
            .description("inference requests the gateway answered, by model and outcome code")
            .tags("model", k.model(), "code", k.code())
            .register(registry),
        Timer.builder("maas.gateway.request.duration")
            .description("inference requests end to end in the gateway (decode excluded), by model and outcome code")
            .tags("model", k.model(), "code", k.code())
            .serviceLevelObjectives(BUCKETS)
            .register(registry));
  }
}
