package io.maas.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * What every report states about its run: when, on what, with which command and durations.
 *
 * @param root the repository root
 * @param quick whether this is the short validation run (fewer points, shorter loads)
 * @param command the command line that ran it
 * @param warmUp the warm-up of a point measured in one window
 * @param measure the measured time of every point, split into turns for a point measured with keys on and
 *     off ({@link SideBySide})
 * @param turnWarmUp the warm-up of each such turn (the server is warm already: a turn only refills the
 *     pipeline)
 * @param loadAtStart the 1-minute load average when the run started: other work on the machine shows here
 */
record RunInfo(Path root, boolean quick, Duration warmUp, Duration measure, Duration turnWarmUp, String command,
    String started, String loadAtStart) {

  static RunInfo create(Path root, boolean quick, String command) {
    return new RunInfo(root, quick, Duration.ofSeconds(quick ? 1 : 3), Duration.ofSeconds(quick ? 3 : 8),
        Duration.ofMillis(quick ? 500 : 1000), command,
        ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")),
        loadAverage());
  }

  /** One line: date, CPU, cores, OS, JVM, the load average at the start and now. */
  String machine() {
    return String.format("%s; %s, %d cores; %s %s; %s %s; load average %s at the start, %s at the end", started,
        cpuModel(), Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
        System.getProperty("os.version"), System.getProperty("java.vm.name"), System.getProperty("java.version"),
        loadAtStart, loadAverage());
  }

  /** The 1-minute load average, or "n/a". */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }

  String durations() {
    Duration turn = measure.dividedBy(SideBySide.ROUNDS);
    return String.format(Locale.ROOT, "Each point: %d s warm-up, then %d s measured; a point measured with API keys "
            + "on and off: in turns %s, each %.1f s warm-up then %.1f s measured%s", warmUp.toSeconds(),
        measure.toSeconds(), String.join(", ", SideBySide.turns(SideBySide.ROUNDS).stream().map(a -> a.label).toList()),
        turnWarmUp.toMillis() / 1000.0, turn.toMillis() / 1000.0,
        quick ? " (--quick: a validation run, not a measurement)" : "");
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
    } catch (IOException | RuntimeException e) {
      return "unknown CPU";
    }
  }
}
