package io.maas.bench.load;

import java.util.List;

/** Hands out the same few items in turn, forever. Confined to the load generator's event loop. */
final class RoundRobin<T> {
  private final List<T> items;
  private int next;

  RoundRobin(List<T> items) {
    if (items.isEmpty()) {
      throw new IllegalArgumentException("nothing to take in turn");
    }
    this.items = List.copyOf(items);
  }

  T next() {
    T item = items.get(next);
    next = (next + 1) % items.size();
    return item;
  }
}
