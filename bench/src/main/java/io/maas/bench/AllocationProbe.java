package io.maas.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * How many bytes the server's processes have allocated so far, summed over them: read before and after a
 * measured load, the difference divided by the requests served is the allocation per request.
 *
 * <p>Per process, the first source that answers is kept: the Prometheus counter
 * {@code jvm_gc_memory_allocated_bytes_total} on {@code /metrics} of its own port ({@code gateway.admin_port},
 * or {@code worker.metrics_port} for a worker-only process; Micrometer counts it at each GC, so it moves in
 * steps of the young generation's size), else the allocated bytes of every live thread over loopback JMX ({@code com.sun.management.ThreadMXBean}: exact, but threads that ended
 * in between are missed). If neither answers, the figure is "n/a". {@code -Dbench.allocation=jmx} skips
 * {@code /metrics} and reads JMX only.
 */
final class AllocationProbe implements AutoCloseable {
  static final String COUNTER = "jvm_gc_memory_allocated_bytes_total";

  private final List<MaasProcesses.Admin> processes;
  // HTTP/1.1: with the default (HTTP/2 by an h2c upgrade) a send was seen to hang past its timeout, and the run with it
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private final Map<String, String> sources = new HashMap<>();
  private final Map<String, JMXConnector> jmx = new HashMap<>();

  AllocationProbe(List<MaasProcesses.Admin> processes) {
    this.processes = processes;
  }

  /** The bytes allocated so far by all the processes; empty if one of them cannot say. */
  OptionalLong allocatedBytes() {
    long sum = 0;
    for (MaasProcesses.Admin p : processes) {
      OptionalLong one = allocatedBytes(p);
      if (one.isEmpty()) {
        return OptionalLong.empty();
      }
      sum += one.getAsLong();
    }
    return OptionalLong.of(sum);
  }

  /** Which source each process answered from, in words. */
  String sources() {
    return processes.stream().map(p -> p.name() + ": " + sources.getOrDefault(p.name(), "n/a")).toList().toString();
  }

  private OptionalLong allocatedBytes(MaasProcesses.Admin p) {
    String source = sources.get(p.name());
    if (source == null && "jmx".equals(System.getProperty("bench.allocation"))) {
      source = "JMX";
    }
    if (source == null || source.startsWith("/metrics")) {
      OptionalLong v = fromMetrics(p.adminPort());
      if (v.isPresent()) {
        sources.put(p.name(), "/metrics " + COUNTER);
        return v;
      }
      if (source != null) {
        return OptionalLong.empty();
      }
    }
    OptionalLong v = fromJmx(p);
    if (v.isPresent()) {
      sources.put(p.name(), "JMX thread allocated bytes");
    }
    return v;
  }

  private OptionalLong fromMetrics(int port) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? counter(r.body()) : OptionalLong.empty();
    } catch (IOException e) {
      return OptionalLong.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalLong.empty();
    }
  }

  /** The sum of the counter's samples (any labels) in a Prometheus text exposition; empty if absent. */
  static OptionalLong counter(String exposition) {
    double sum = 0;
    boolean found = false;
    for (String line : exposition.split("\n")) {
      if (line.startsWith(COUNTER + " ") || line.startsWith(COUNTER + "{")) {
        String[] parts = line.trim().split("\\s+");
        // name{labels} value [timestamp]: the value follows the closing brace (labels may hold spaces)
        String value = line.contains("}") ? line.substring(line.lastIndexOf('}') + 1).trim().split("\\s+")[0]
            : parts[1];
        sum += Double.parseDouble(value);
        found = true;
      }
    }
    return found ? OptionalLong.of((long) sum) : OptionalLong.empty();
  }

  private OptionalLong fromJmx(MaasProcesses.Admin p) {
    try {
      MBeanServerConnection server = connection(p).getMBeanServerConnection();
      com.sun.management.ThreadMXBean threads = ManagementFactory.newPlatformMXBeanProxy(server,
          ManagementFactory.THREAD_MXBEAN_NAME, com.sun.management.ThreadMXBean.class);
      long sum = 0;
      for (long b : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
        sum += Math.max(0, b);
      }
      return OptionalLong.of(sum);
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * The CPU time the processes have used so far (loopback JMX, {@code OperatingSystemMXBean}), summed;
   * empty if one of them cannot say.
   */
  OptionalLong cpuNanos() {
    long sum = 0;
    for (MaasProcesses.Admin p : processes) {
      try {
        com.sun.management.OperatingSystemMXBean os = ManagementFactory.newPlatformMXBeanProxy(
            connection(p).getMBeanServerConnection(), ManagementFactory.OPERATING_SYSTEM_MXBEAN_NAME,
            com.sun.management.OperatingSystemMXBean.class);
        sum += os.getProcessCpuTime();
      } catch (IOException | RuntimeException e) {
        return OptionalLong.empty();
      }
    }
    return OptionalLong.of(sum);
  }

  private JMXConnector connection(MaasProcesses.Admin p) throws IOException {
    JMXConnector c = jmx.get(p.name());
    if (c == null) {
      c = JMXConnectorFactory.connect(new JMXServiceURL(
          "service:jmx:rmi:///jndi/rmi://127.0.0.1:" + p.jmxPort() + "/jmxrmi"));
      jmx.put(p.name(), c);
    }
    return c;
  }

  @Override
  public void close() {
    jmx.values().forEach(c -> {
      try {
        c.close();
      } catch (IOException e) {
        // the process may be gone already
      }
    });
  }
}
