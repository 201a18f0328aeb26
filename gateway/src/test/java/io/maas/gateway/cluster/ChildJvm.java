package io.maas.gateway.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A maas process in a JVM of its own, started with this JVM's java and the test classpath, its
 * stdout and stderr in a log file. {@link #terminate()} sends SIGTERM, {@link #kill()} SIGKILL,
 * {@link #pause()} SIGSTOP and {@link #resume()} SIGCONT.
 */
final class ChildJvm {
  private final String name;
  private final Process process;
  private final Path log;

  private ChildJvm(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  static final String MAIN = "io.maas.node.Main";
  /** {@code maas-worker.jar}'s main class. */

  /** Starts {@code io.maas.node.Main} with these arguments in {@code workDir}. */
  static ChildJvm start(String name, List<String> mainArgs, Path workDir, Path log) {
    return start(name, MAIN, mainArgs, workDir, log);
  }

  /** Starts this main class with these arguments in {@code workDir}. */
  static ChildJvm start(String name, String mainClass, List<String> mainArgs, Path workDir, Path log) {
    List<String> command = new ArrayList<>();
    command.add(javaCommand());
    command.addAll(List.of(
        "-Xmx256m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Dhazelcast.phone.home.enabled=false", "-Dhazelcast.logging.type=slf4j",
        "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens", "java.management/sun.management=ALL-UNNAMED",
        "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
        "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
        "-cp", testClassPath(), mainClass));
    command.addAll(mainArgs);
    try {
      Files.createDirectories(log.getParent());
      Files.writeString(log, "# " + String.join(" ", command).replace(testClassPath(), "<test classpath>") + "\n");
      Process p = new ProcessBuilder(command)
          .directory(workDir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
      return new ChildJvm(name, p, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  private static String javaCommand() {
    return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /** Surefire runs tests from a manifest-only jar; the real classpath is in its own property. */
  private static String testClassPath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  Path log() {
    return log;
  }

  /** SIGTERM: the process runs its shutdown hook (a worker drains). */
  void terminate() {
    process.destroy();
  }

  /** SIGKILL: the process vanishes without a word. */
  void kill() {
    process.destroyForcibly();
  }

  /**
   * SIGSTOP: the process freezes as in a long GC pause or on a stuck device; its sockets stay open, so its
   * cluster peers see nothing until their failure detector's timeout.
   */
  void pause() {
    signal("STOP");
  }

  /** SIGCONT: a paused process runs on from where it stopped. */
  void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run kill -" + name, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Waits for the process to end; false if it still runs at the deadline. */
  boolean awaitExit(java.time.Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  String logText() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** Every match of the pattern in the log so far. */
  List<Matcher> logMatches(Pattern pattern) {
    List<Matcher> out = new ArrayList<>();
    for (String line : logText().split("\n")) {
      Matcher m = pattern.matcher(line);
      if (m.find()) {
        out.add(m);
      }
    }
    return out;
  }

  /** Polls the log until a line matches; fails early if the process dies first. */
  Matcher awaitLog(Pattern pattern, java.time.Duration timeout) {
    return Poll.until(timeout, name + " logs /" + pattern + "/", () -> {
      List<Matcher> found = logMatches(pattern);
      if (found.isEmpty() && !process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + " before logging /" + pattern + "/");
      }
      return found.stream().findFirst();
    });
  }

  String tail(int lines) {
    String[] all = logText().split("\n");
    int from = Math.max(0, all.length - lines);
    StringBuilder sb = new StringBuilder();
    for (int i = from; i < all.length; i++) {
      sb.append("  ").append(all[i]).append('\n');
    }
    return sb.toString();
  }

  Optional<Integer> exitValue() {
    return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
  }
}
