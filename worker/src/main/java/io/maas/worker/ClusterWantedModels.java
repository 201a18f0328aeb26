package io.maas.worker;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.maas.model.WantedModel;
import java.util.Map;
import java.util.UUID;
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

  /** Calls the handler, on a Hazelcast thread, with each change made after now. */
  UUID follow(Consumer<WantedModel> handler) {
    return map.addEntryListener(new Changes(handler), true);
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
