package io.maas.bench;

import io.maas.bench.report.Goal;
import java.nio.file.Path;
import java.util.List;

/**
 * One benchmark scenario. The bench runs every selected scenario's {@link #ceiling} first (no server
 * running), then its {@link #standalone} part against one standalone node, then its {@link #cluster}
 * part against one gateway and two worker processes, then {@link #write}s its results.
 */
interface Scenario {
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

  /** Warms the deployment up for its models; nothing is counted. */
  void warmUp(Runner runner, RunInfo info);

  void standalone(Runner runner);

  /** Whether it has a part for 1 gateway + 2 workers. */
  boolean needsCluster();

  void cluster(Runner runner);

  /** Writes bench/results/&lt;name&gt;.md, .csv and .svg; gives its goals with their verdicts. */
  List<Goal> write(Path results, RunInfo info) throws java.io.IOException;
}
