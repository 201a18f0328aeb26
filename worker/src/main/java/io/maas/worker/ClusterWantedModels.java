package io.maas.worker;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.maas.model.WantedModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The models the cluster wants loaded or unloaded ({@link WantedModel#MAP}, held by the gateways), as a worker
 * sees them: what they are when it starts, and each change after.
 */
final class ClusterWantedModels {
  private final IMap<String, String> map;

  ClusterWantedModels(HazelcastInstance hazelcast) {
    this.map = hazelcast.getMap(WantedModel.MAP);
  }

  /** The wanted state of every model with one, by name. Blocking: a read of the cluster map. */
  Map<String, WantedModel> snapshot() {
    return map.values().stream().map(WantedModel::fromJson).collect(Collectors.toMap(WantedModel::name, w -> w));
  }

  /**
   * Follows each change made from now on: they are held until {@link Follower#start} names who takes them (a
   * gateway restoring its durable copy while this worker starts must not be missed between its snapshot and
   * its slots' deployment). Blocking: registers a listener on the cluster map.
   */
  Follower follow() {
    Follower follower = new Follower();
    map.addEntryListener(new Changes(follower::accept), true);
    return follower;
  }

  /** Changes held until there is someone to take them, then handed on as they come (on a Hazelcast thread). */
  static final class Follower {
    private final List<WantedModel> held = new ArrayList<>();
    private Consumer<WantedModel> handler;

    synchronized void accept(WantedModel change) {
      if (handler == null) {
        held.add(change);
      } else {
        handler.accept(change);
      }
    }

    /** Hands on the changes held so far, then every later one. */
    synchronized void start(Consumer<WantedModel> taker) {
      handler = taker;
      held.forEach(taker);
      held.clear();
    }
  }

  private record Changes(Consumer<WantedModel> handler)
      implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String> {
    @Override
    public void entryAdded(EntryEvent<String, String> event) {
      handler.accept(WantedModel.fromJson(event.getValue()));
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> event) {
      handler.accept(WantedModel.fromJson(event.getValue()));
    }
  }
}
