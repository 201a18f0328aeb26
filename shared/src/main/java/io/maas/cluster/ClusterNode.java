package io.maas.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.maas.net.AcceptHooks;
import io.vertx.core.Vertx;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.function.Consumer;

/** This process's clustered Vert.x, its node id, and news of members that leave (crashes included). */
public final class ClusterNode {
  /** The Hazelcast member attribute in which vertx-hazelcast keeps a member's Vert.x node id. */
  static final String VERTX_NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  private final Vertx vertx;
  private final HazelcastClusterManager manager;
  private final AcceptHooks acceptHooks;

  ClusterNode(Vertx vertx, HazelcastClusterManager manager, AcceptHooks acceptHooks) {
    this.vertx = vertx;
    this.manager = manager;
    this.acceptHooks = acceptHooks;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** What this Vert.x's servers do with each connection they accept; null when it was started without hooks. */
  public AcceptHooks acceptHooks() {
    return acceptHooks;
  }

  /** The Hazelcast member under the event bus, for cluster-wide maps (API keys, rate-limit buckets). */
  public HazelcastInstance hazelcast() {
    return manager.getHazelcastInstance();
  }

  /** This member's id; workers put it in their announcements. */
  public String nodeId() {
    return manager.getNodeId();
  }

  /**
   * Calls the handler, on a Hazelcast thread, with the node id of each member that leaves the cluster,
   * whether it said goodbye or was killed (Hazelcast notices a dead member within its heartbeat timeout).
   */
  public void onMemberLeft(Consumer<String> handler) {
    manager.getHazelcastInstance().getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {}

      @Override
      public void memberRemoved(MembershipEvent event) {
        // Vert.x's node id is not the Hazelcast member UUID: it is a member attribute of its own
        String vertxNodeId = event.getMember().getAttribute(VERTX_NODE_ID_ATTRIBUTE);
        handler.accept(vertxNodeId != null ? vertxNodeId : event.getMember().getUuid().toString());
      }
    });
  }
}
