package io.maas.worker.memory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A GPU's total memory as NVIDIA's driver reports it: {@code nvidia-smi --query-gpu=memory.total
 * --format=csv,noheader,nounits -i N} prints it in MiB.
 */
public final class GpuMemory {
  /** The command, found on the PATH. */
  public static final String NVIDIA_SMI = "nvidia-smi";
  private static final long TIMEOUT_SECONDS = 10;
  private static final long MIB = 1024 * 1024;

  private final String command;

  /** @param command the {@code nvidia-smi} to run: a name looked up on the PATH, or a path */
  public GpuMemory(String command) {
    this.command = command;
  }

  /**
   * The total memory of GPU {@code device}, in bytes. Blocking (runs the command).
   *
   * @throws IllegalStateException saying why it could not be read: the command does not exist, fails, hangs or
   *     prints something else than a number of MiB
   */
  public long totalBytes(int device) {
    List<String> call = List.of(command, "--query-gpu=memory.total", "--format=csv,noheader,nounits", "-i",
        Integer.toString(device));
    Process process;
    try {
      process = new ProcessBuilder(call).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IllegalStateException("'" + command + "' cannot be run (" + e.getMessage() + ")");
    }
    try {
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("'" + String.join(" ", call) + "' did not answer within " + TIMEOUT_SECONDS
            + " s");
      }
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (process.exitValue() != 0) {
        throw new IllegalStateException("'" + String.join(" ", call) + "' failed (exit " + process.exitValue() + "): "
            + output);
      }
      return parseMib(output) * MIB;
    } catch (IOException e) {
      throw new IllegalStateException("reading '" + String.join(" ", call) + "': " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException("interrupted while running '" + command + "'");
    }
  }

  /** nvidia-smi's answer for one GPU: a whole number of MiB on its first line. */
  static long parseMib(String output) {
    String first = output.strip().lines().findFirst().orElse("").strip();
    try {
      long mib = Long.parseLong(first);
      if (mib > 0) {
        return mib;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw new IllegalStateException("nvidia-smi printed '" + first + "', not a GPU's total memory in MiB");
  }
}
