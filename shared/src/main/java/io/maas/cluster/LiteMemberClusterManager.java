package io.maas.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleEvent.LifecycleState;
import io.vertx.core.Completable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster manager of a worker: a Hazelcast <em>lite member</em>, which owns no partition of any
 * cluster map. API keys, rate-limit buckets, usage and the event bus's own registry live on the gateways
 * only, so a worker that freezes can never stall admission, and no record is lost when workers come and go.
 *
 * <p>What a lite member must make up for:
 * <ul>
 *   <li>A cluster of lite members alone holds no data, so the worker waits for a gateway before it
 *       registers (Vert.x's first write would fail with {@code NoDataMemberInClusterException}).
 *   <li>When every gateway leaves, the event bus's registry (which worker listens where) goes with them.
 *       Every {@code checkEvery}, the worker checks that its registration is still in the cluster and, when
 *       it is not, publishes it again: the same republication Vert.x does after Hazelcast merges a split
 *       cluster ({@link LifecycleState#MERGED}), started here on purpose.
 * </ul>
 */
final class LiteMemberClusterManager extends HazelcastClusterManager {
  private static final Logger LOG = LoggerFactory.getLogger(LiteMemberClusterManager.class);
  /** Vert.x's map of members' event-bus addresses, by node id. */
  private static final String NODE_INFO_MAP = "__vertx.nodeInfo";

  private final Duration checkEvery;
  private final AtomicBoolean aloneReported = new AtomicBoolean();
  private Vertx vertx;
  private long checkTimer = -1;

  LiteMemberClusterManager(Config config, Duration checkEvery) {
    super(config.setLiteMember(true));
    this.checkEvery = checkEvery;
  }

  @Override
  public void init(Vertx vertx) {
    super.init(vertx);
    this.vertx = vertx;
  }

  /** Vert.x's first write to the cluster: held until a member that holds data (a gateway) is there. */
  @Override
  public void setNodeInfo(NodeInfo nodeInfo, Completable<Void> promise) {
    dataMemberPresent().onComplete(present -> {
      super.setNodeInfo(nodeInfo, promise);
      checkTimer = vertx.setPeriodic(checkEvery.toMillis(), id -> vertx.executeBlocking(this::checkRegistration, false));
    });
  }

  private Future<Void> dataMemberPresent() {
    HazelcastInstance hazelcast = getHazelcastInstance();
    Promise<Void> present = Promise.promise();
    UUID listener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        if (!event.getMember().isLiteMember()) {
          present.tryComplete();
        }
      }

      @Override
      public void memberRemoved(MembershipEvent event) {}
    });
    if (hasDataMember(hazelcast)) {
      present.tryComplete();
    } else {
      LOG.info("no gateway in the cluster yet: this worker holds no cluster data and waits for one to join");
    }
    return present.future().andThen(done -> hazelcast.getCluster().removeMembershipListener(listener));
  }

  /** Publishes this member's registration again when it is no longer in the cluster. */
  private Void checkRegistration() {
    if (!isActive()) {
      return null;
    }
    HazelcastInstance hazelcast = getHazelcastInstance();
    if (!hasDataMember(hazelcast)) {
      if (aloneReported.compareAndSet(false, true)) {
        LOG.warn("this worker sees no gateway: it was cut off from the cluster (a pause, a network fault) or every "
            + "gateway left; it publishes its registration again when it is back in a cluster with one");
      }
      return null;
    }
    aloneReported.set(false);
    if (!hazelcast.getMap(NODE_INFO_MAP).containsKey(getNodeId())) {
      LOG.info("this worker's registration is gone from the cluster (its gateways left or the cluster split): "
          + "publishing it again");
      stateChanged(new LifecycleEvent(LifecycleState.MERGED));
    }
    return null;
  }

  /**
   * Vert.x cleans the departed member's registrations out of the cluster's maps; with no member holding
   * data left there is nothing to clean (and trying logs an error): the registrations went with the data,
   * and the departed member is forgotten when this one publishes itself again.
   */
  @Override
  public void memberRemoved(MembershipEvent event) {
    if (isActive() && !hasDataMember(getHazelcastInstance())) {
      LOG.info("cluster member {} left, and with it the last member holding cluster data", event.getMember().getAddress());
      return;
    }
    super.memberRemoved(event);
  }

  @Override
  public void leave(Completable<Void> promise) {
    if (checkTimer >= 0) {
      vertx.cancelTimer(checkTimer);
    }
    super.leave(promise);
  }

  private static boolean hasDataMember(HazelcastInstance hazelcast) {
    return hazelcast.getCluster().getMembers().stream().anyMatch(m -> !m.isLiteMember());
  }
}
