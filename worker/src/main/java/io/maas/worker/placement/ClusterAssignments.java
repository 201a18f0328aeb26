package io.maas.worker.placement;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.maas.model.Assignment;
import io.maas.model.WantedModel;
import java.util.function.Consumer;

/**
 * What the cluster's placement assigns to this process's slots ({@link Assignment#MAP}) and the wanted state of
 * the models it assigns ({@link WantedModel#MAP}), as placed workers read them. Reads block (cluster maps).
 */
public final class ClusterAssignments {
  private final IMap<String, String> assignments;
  private final IMap<String, String> wanted;

  public ClusterAssignments(HazelcastInstance hazelcast) {
    this.assignments = hazelcast.getMap(Assignment.MAP);
    this.wanted = hazelcast.getMap(WantedModel.MAP);
  }

  /** A slot's assignment; null when it has none. */
  public Assignment of(String workerId) {
    String json = assignments.get(workerId);
    return json == null ? null : Assignment.fromJson(json);
  }

  /** A model's wanted state; null when the repository API never changed it. */
  public WantedModel wanted(String model) {
    String json = wanted.get(model);
    return json == null ? null : WantedModel.fromJson(json);
  }

  /** Calls the handler (on a Hazelcast thread) with the worker id of each assignment written or removed. */
  public void onChange(Consumer<String> handler) {
    assignments.addEntryListener(new Changes(handler), false);
  }

  private record Changes(Consumer<String> handler) implements EntryAddedListener<String, String>,
      EntryUpdatedListener<String, String>, EntryRemovedListener<String, String> {
    @Override
    public void entryAdded(EntryEvent<String, String> event) {
      handler.accept(event.getKey());
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> event) {
      handler.accept(event.getKey());
    }

    @Override
    public void entryRemoved(EntryEvent<String, String> event) {
      handler.accept(event.getKey());
    }
  }
}
