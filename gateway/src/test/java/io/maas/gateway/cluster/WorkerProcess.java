package io.maas.gateway.cluster;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A worker-only maas process: one worker verticle per configured slot, each with its own id. */
final class WorkerProcess {
  /** The line each worker verticle logs once it takes requests on its own address. */
  private static final Pattern LISTENING = Pattern.compile("worker (\\S+) on (\\S+) listening on");
  /** The line a worker-only process logs once it serves /metrics (on a free port in these tests). */
  private static final Pattern METRICS = Pattern.compile("metrics \\(GET /metrics\\) on \\S+:(\\d+)");

  final ChildJvm jvm;
  private final int slots;

  WorkerProcess(ChildJvm jvm, int slots) {
    this.jvm = jvm;
    this.slots = slots;
  }

  /** Waits until every slot's verticle listens; gives their worker ids (the X-Maas-Worker values). */
  List<String> awaitListening(Duration timeout) {
    return Poll.until(timeout, jvm.name() + " has " + slots + " worker verticle(s) listening", () -> {
      List<Matcher> found = jvm.logMatches(LISTENING);
      if (found.size() < slots && !jvm.isAlive()) {
        throw new AssertionError(jvm.name() + " exited with " + jvm.exitValue().orElse(-1));
      }
      return found.size() >= slots
          ? java.util.Optional.of(found.stream().map(m -> m.group(1)).toList())
          : java.util.Optional.empty();
    });
  }

  /** The port of the process's GET /metrics, once it listens. */
  int metricsPort(Duration timeout) {
    return Poll.until(timeout, jvm.name() + " serves /metrics", () -> jvm.logMatches(METRICS).stream()
        .findFirst().map(m -> Integer.parseInt(m.group(1))));
  }

  /** The id of a single-slot worker. */
  String awaitId(Duration timeout) {
    return awaitListening(timeout).get(0);
  }
}
