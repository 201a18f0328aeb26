package io.maas.bench;

import io.maas.bench.report.Goal;
import java.util.List;

/** bench/results/README.md: the run, the goals with their measured ratios and verdicts, the reports. */
final class ResultsIndex {
  private ResultsIndex() {}

  static String markdown(RunInfo info, List<String> scenarios, List<Goal> goals, String took) {
    StringBuilder sb = new StringBuilder("# maas benchmark results\n\n");
    sb.append(info.machine()).append(". ").append(info.durations()).append("; the whole set took ").append(took)
        .append(", server starts included.\n\n")
        .append("Command, from the repository root:\n\n```bash\nmvn -q -pl bench -am package -DskipTests && ")
        .append(info.command()).append("\n```\n\n")
        .append("The load generator shares the machine's cores with the server it measures; the ceiling is "
            + "measured in the bench's JVM while no server runs. Figures from one run are indicative: compare "
            + "ratios measured side by side, not single numbers across runs.\n\n")
        .append("Every point runs with API keys on (the default: `gateway.auth_enabled: true`, one key made through "
            + "the admin API whose limit is never reached) unless its `auth` column says off. The goals \"auth on "
            + "vs auth off\" compare the same point on twin deployments, one with keys and one without, both "
            + "running and loaded in turns (on, off, off, on) so that load drifting on the machine weighs on both "
            + "sides alike.\n\n")
        .append("## Goals\n\n").append(Reports.goals(goals).markdown())
        .append("\n## Reports\n\n");
    for (String s : scenarios) {
      sb.append("- [").append(s).append("](").append(s).append(".md): table, [CSV](").append(s)
          .append(".csv), [plot](").append(s).append(".svg)\n");
    }
    sb.append("- [sim-scaling](sim-scaling.md): sim workers behind one gateway "
        + "(`java -jar bench/target/maas-bench.jar sim-scaling`, run separately)\n");
    sb.append("- [lifecycle](lifecycle.md): MiniLM load/unload cycles and warmup "
        + "(`java -jar bench/target/maas-bench.jar lifecycle`, run separately)\n");
    sb.append("- [fairness](fairness.md): overload that stays fair, on sim and MiniLM "
        + "(`java -jar bench/target/maas-bench.jar fairness`, run separately)\n");
    sb.append("- [tls](tls.md): TLS against plaintext, simple and MiniLM over REST and gRPC "
        + "(`java -jar bench/target/maas-bench.jar tls`, run separately)\n");
    return sb.toString();
  }
}
