package io.maas.gateway.cluster;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One key's calls sent to several gateways at a fixed pace for a while (open loop: a call every
 * {@code everyMillis} to each gateway, whatever the answers), counting 200s, 429s and anything else.
 */
record Overload(long accepted, long limited, long other, double seconds, double meanLimitedMillis) {

  static Overload run(List<GatewayProcess> gateways, String key, long everyMillis, Duration duration) throws Exception {
    AtomicLong accepted = new AtomicLong();
    AtomicLong limited = new AtomicLong();
    AtomicLong other = new AtomicLong();
    AtomicLong limitedNanos = new AtomicLong();
    List<CompletableFuture<?>> inFlight = Collections.synchronizedList(new ArrayList<>());
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    long start = System.nanoTime();
    ticker.scheduleAtFixedRate(() -> {
      for (GatewayProcess g : gateways) {
        long sent = System.nanoTime();
        inFlight.add(GatewayProcess.HTTP.sendAsync(Tenants.infer(g, key).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
              if (e == null && r.statusCode() == 200) {
                accepted.incrementAndGet();
              } else if (e == null && r.statusCode() == 429) {
                limited.incrementAndGet();
                limitedNanos.addAndGet(System.nanoTime() - sent);
              } else {
                other.incrementAndGet();
              }
            }));
      }
    }, 0, everyMillis, TimeUnit.MILLISECONDS);
    Poll.until(duration.plusSeconds(5), duration.toSeconds() + " s of load",
        () -> System.nanoTime() - start >= duration.toNanos());
    ticker.shutdownNow();
    double seconds = (System.nanoTime() - start) / 1e9;
    CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
    return new Overload(accepted.get(), limited.get(), other.get(), seconds,
        limitedNanos.get() / 1e6 / Math.max(1, limited.get()));
  }

  double acceptedRate() {
    return accepted / seconds;
  }

  String describe(double limit, int gateways) {
    return String.format("rate limit across %d gateways: limit %.0f/s, accepted %d in %.2f s = %.2f/s (%.1f%% off),"
            + " 429s %d (mean %.2f ms), other %d", gateways, limit, accepted, seconds, acceptedRate(),
        100 * (acceptedRate() - limit) / limit, limited, meanLimitedMillis, other);
  }
}
