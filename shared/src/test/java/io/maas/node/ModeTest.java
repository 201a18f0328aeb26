package io.maas.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.cluster.ClusterNode;
import io.maas.config.CommandLine;
import io.maas.config.ConfigLoader;
import io.maas.config.MaasConfig;
import io.maas.metrics.ProcessMetrics;
import io.maas.node.MaasNode.Mode;
import io.maas.node.NodeRole.Kind;
import io.vertx.core.Future;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which mode a jar runs, from the word given and the roles the jar holds. */
class ModeTest {
  private static final Set<Kind> BOTH = Set.of(Kind.GATEWAY, Kind.WORKER);

  @Test
  void noWordRunsEverySideTheJarHolds() {
    assertEquals(Mode.STANDALONE, Mode.parse("", BOTH));
    assertEquals(Mode.GATEWAY, Mode.parse("", Set.of(Kind.GATEWAY)));
    assertEquals(Mode.WORKER, Mode.parse("", Set.of(Kind.WORKER)));
  }

  @Test
  void aWordNamesItsMode() {
    assertEquals(Mode.STANDALONE, Mode.parse("standalone", BOTH));
    assertEquals(Mode.GATEWAY, Mode.parse("gateway", BOTH));
    assertEquals(Mode.WORKER, Mode.parse("worker", BOTH));
    assertEquals("unknown mode 'workers': use standalone, gateway or worker",
        assertThrows(IllegalArgumentException.class, () -> Mode.parse("workers", BOTH)).getMessage());
  }

  @Test
  void aModeWhoseRolesTheJarLacksIsRefusedNamingTheJarsThatHoldThem() {
    assertEquals("this jar holds no worker, which mode standalone needs: run it with maas-gateway.jar",
        assertThrows(IllegalArgumentException.class, () -> Mode.parse("standalone", Set.of(Kind.GATEWAY))).getMessage());
    assertEquals("this jar holds no gateway, which mode gateway needs: run it with maas-gateway.jar or maas-gateway-only.jar",
        assertThrows(IllegalArgumentException.class, () -> Mode.parse("gateway", Set.of(Kind.WORKER))).getMessage());
    assertEquals("this jar holds no worker, which mode worker needs: run it with maas-worker.jar or maas-gateway.jar",
        assertThrows(IllegalArgumentException.class, () -> Mode.parse("", Set.of())).getMessage());
  }

  @Test
  void standaloneDeploysTheWorkersBeforeTheGateway() {
    Map<Kind, NodeRole> held = new EnumMap<>(Kind.class);
    NodeRole gateway = new Named(Kind.GATEWAY);
    NodeRole worker = new Named(Kind.WORKER);
    held.put(Kind.GATEWAY, gateway);
    held.put(Kind.WORKER, worker);
    assertEquals(List.of(worker, gateway), Mode.STANDALONE.pick(held));
    assertEquals(List.of(gateway), Mode.GATEWAY.pick(held));
  }

  @Test
  void aStartWithoutItsRolesFailsBeforeAnyClusterStarts() {
    Throwable failure = assertThrows(Exception.class,
        () -> MaasNode.start(new ConfigLoader(Map.of(), Map.of()).loadOnce(CommandLine.parse()), Mode.STANDALONE, Map.of()).await());
    assertTrue(failure.getMessage().startsWith("this jar holds no worker"), failure.getMessage());
  }

  @Test
  void theSharedModuleAloneHoldsNoRole() {
    assertEquals(Map.of(), MaasNode.roles());
  }

  private record Named(Kind kind) implements NodeRole {
    @Override
    public void check(MaasConfig config) {}

    @Override
    public Future<?> deploy(ClusterNode cluster, MaasConfig config, ProcessMetrics metrics) {
      return Future.succeededFuture();
    }
  }
}
