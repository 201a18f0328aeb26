package io.maas.bench;

import io.maas.bench.report.Goal;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * One benchmark scenario. The bench runs every selected scenario's {@link #ceiling} first (no server
 * running), then, stage by stage ({@link Stage}), warms up and runs its points against the stage's
 * deployments (keys on and keys off, side by side), then {@link #write}s its results.
 */
interface Scenario {
  /** The deployments the bench starts, in this order; a scenario has points on some of them. */
  enum Stage {
    STANDALONE(StandaloneNodes.NAME),
    ONE_GATEWAY(GatewayCluster.ONE_GATEWAY),
    TWO_GATEWAYS(GatewayCluster.TWO_GATEWAYS);

    final String deployment;

    Stage(String deployment) {
      this.deployment = deployment;
    }
  }

  String name();

  /** The models of the bench repository it sends requests to. */
  List<String> models();

  /** In-process measurements, while no server runs. */
  void ceiling(RunInfo info) throws Exception;

  /**
   * In-process measurements again, once every server stopped: on a machine whose load drifts during the
   * run the two differ, and the report shows both; the ratios use the better of the two (the stricter
   * comparison for maas).
   */
  void ceilingAgain(RunInfo info) throws Exception;

  /** The stages it has points on. */
  Set<Stage> stages();

  /** Warms this stage's deployments up for what its points send; nothing is counted. */
  void warmUp(Stage stage, SideBySide deployments, RunInfo info);

  /** Its points on this stage's deployments: keys on, and off where a goal compares the two. */
  void run(Stage stage, SideBySide deployments);

  /** Writes bench/results/&lt;name&gt;.md, .csv and .svg; gives its goals with their verdicts. */
  List<Goal> write(Path results, RunInfo info) throws java.io.IOException;
}
