package io.maas.gateway.edge;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory every request body (REST) and request message (gRPC) being read or served may hold at once, across
 * all connections of the process ({@code gateway.body_memory_budget_bytes}). A body reserves its share before it
 * is read (its {@code Content-Length} when it has one) or as its bytes arrive, and gives it back when its request
 * ends, fails or loses its connection. A body that cannot reserve is refused with UNAVAILABLE (503 with
 * {@code Retry-After}): the server protecting itself, not the client's mistake. Meters
 * {@code maas_gateway_body_memory_bytes} (reserved now) and {@code maas_gateway_body_memory_refusals_total}.
 */
public final class BodyBudget {
  private final long capacity;
  private final AtomicLong reserved = new AtomicLong();
  private final Counter refusals;

  public BodyBudget(long capacity, MeterRegistry meters) {
    this.capacity = capacity;
    Gauge.builder("maas.gateway.body.memory", reserved, AtomicLong::get)
        .description("bytes reserved now by request bodies and gRPC messages being read or served")
        .baseUnit("bytes")
        .register(meters);
    Gauge.builder("maas.gateway.body.memory.budget", () -> capacity)
        .description("the most bytes request bodies and gRPC messages may reserve at once (gateway.body_memory_budget_bytes)")
        .baseUnit("bytes")
        .register(meters);
    this.refusals = Counter.builder("maas.gateway.body.memory.refusals")
        .description("requests refused (503 / UNAVAILABLE) because the body memory budget was spent")
        .register(meters);
  }

  /** Bytes reserved now. */
  public long reserved() {
    return reserved.get();
  }

  public long capacity() {
    return capacity;
  }

  /** A reservation of nothing yet, which grows as a body arrives. */
  public Reservation open() {
    return new Reservation();
  }

  private boolean tryTake(long bytes) {
    while (true) {
      long now = reserved.get();
      if (now + bytes > capacity) {
        refusals.increment();
        return false;
      }
      if (reserved.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }

  /** The failure a body gets when the budget cannot hold it. */
  MaasException refusal(long wanted) {
    return new MaasException(ErrorCode.UNAVAILABLE, "the gateway is reading as many request bodies as it may hold ("
        + capacity + " bytes, gateway.body_memory_budget_bytes); " + wanted + " more bytes do not fit now, retry later")
        .withMetadata(Map.of("Retry-After", "1"));
  }

  /**
   * One body's share of the budget, used from its request's context; {@link #close()} gives it all back (at
   * most once: later calls do nothing, and nothing can be reserved after it).
   */
  public final class Reservation implements AutoCloseable {
    private long held;
    private boolean closed;

    /**
     * Reserves bytes more.
     *
     * @throws MaasException UNAVAILABLE when the budget cannot hold them (nothing more is reserved)
     */
    public void grow(long bytes) {
      if (bytes <= 0) {
        return;
      }
      if (closed || !tryTake(bytes)) {
        throw refusal(bytes);
      }
      held += bytes;
    }

    /** Gives back part of what is held (a message handed on), never more than is held. */
    public void shrink(long bytes) {
      long given = Math.min(Math.max(bytes, 0), held);
      held -= given;
      reserved.addAndGet(-given);
    }

    public long held() {
      return held;
    }

    @Override
    public void close() {
      closed = true;
      shrink(held);
    }
  }
}
