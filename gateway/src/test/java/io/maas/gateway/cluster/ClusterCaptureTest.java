package io.maas.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.gateway.tenancy.ApiKeys;
import io.maas.tls.TestCertificates;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What crosses between members, recorded on the way: every member is told to reach the others' Hazelcast and event
 * bus at a {@link RecordingProxy} in front of the real port ({@code cluster.public_port}, {@code bus_public_port}),
 * and the Hazelcast join list names only the first gateway's proxy, so every member-to-member connection passes a
 * proxy. A client then sends inference requests carrying a distinctive tensor, with API keys on.
 *
 * <p>Hazelcast's port stays plaintext (open-source edition): it must carry no tensor and no API-key secret, while it
 * visibly carries what it must (the cluster name, the key's id and the SHA-256 of its secret, the bus's subscriptions).
 * The event bus with TLS shows none of it; without TLS the same capture shows the tensor, so the search is sound.
 */
@Tag("cluster")
class ClusterCaptureTest {
  private static final Duration START = ClusterHarness.START_TIMEOUT;
  private static final int REQUESTS = 50;
  /** Sixteen INT32 values no other traffic holds: the tensor every request carries, in both inputs. */
  private static final int[] PATTERN = new SplittableRandom(20261201).ints(16).toArray();

  @RegisterExtension
  final ClusterHarness cluster = new ClusterHarness();
  private final Tenants tenants = new Tenants(cluster);
  private final List<RecordingProxy> proxies = new ArrayList<>();

  @AfterEach
  void closeProxies() {
    proxies.forEach(RecordingProxy::close);
  }

  /** One member's ports: Hazelcast and the event bus, each behind a recording proxy. */
  private final class Member {
    final int hazelcast;
    final RecordingProxy hazelcastProxy;
    final int bus = ClusterHarness.freePort();
    final RecordingProxy busProxy;

    Member(String name, int hazelcast) {
      this.hazelcast = hazelcast;
      hazelcastProxy = RecordingProxy.start(name + "-hazelcast", 0, hazelcast);
      busProxy = RecordingProxy.start(name + "-bus", 0, bus);
      proxies.add(hazelcastProxy);
      proxies.add(busProxy);
    }

    List<String> sets(Member joinThrough, boolean tls, TestCertificates certs) {
      List<String> sets = new ArrayList<>(List.of("cluster.port=" + hazelcast,
          "cluster.public_port=" + hazelcastProxy.port(),
          "cluster.members=127.0.0.1:" + joinThrough.hazelcastProxy.port(),
          "cluster.bus_port=" + bus, "cluster.bus_public_port=" + busProxy.port()));
      if (tls) {
        sets.addAll(List.of(BusTlsClusterTest.tls(certs)));
      }
      return sets;
    }
  }

  @Test
  void withTlsNeitherHazelcastNorTheBusCarriesATensorOrAKeySecret() throws Exception {
    Capture capture = run(true, true);

    capture.assertHazelcastCarriesNoTensorNorSecretButWhatItMust();
    for (RecordingProxy bus : capture.bus) {
      assertTrue(find(bus, le(PATTERN)).isEmpty() && find(bus, be(PATTERN)).isEmpty(), "tensor on the bus: " + bus);
      assertTrue(find(bus, capture.key.getBytes(StandardCharsets.UTF_8)).isEmpty(), "key on the bus: " + bus);
      assertTrue(find(bus, ascii("maas.registry.announce")).isEmpty(), "a plaintext bus address on " + bus);
    }
    assertTrue(capture.bus.get(capture.bus.size() - 1).bytes() > REQUESTS * 64L,
        "the requests crossed the worker's bus proxy: " + capture.bus);
  }

  /** The control: the same capture without TLS shows the tensor on the bus (and still nothing on Hazelcast). */
  @Test
  void withoutTlsTheBusCaptureShowsTheTensorAndHazelcastStillCarriesNone() throws Exception {
    Capture capture = run(false, false);

    capture.assertHazelcastCarriesNoTensorNorSecretButWhatItMust();
    RecordingProxy workerBus = capture.bus.get(capture.bus.size() - 1);
    assertTrue(find(workerBus, le(PATTERN)).isPresent(), "the tensor's bytes were not found in " + workerBus);
    assertTrue(find(workerBus, ascii(Tenants.keyId(capture.key))).isPresent(), "the key's id travels with a request");
    for (RecordingProxy bus : capture.bus) {
      assertTrue(find(bus, ascii(secret(capture.key))).isEmpty(), "a key secret on the bus: " + bus);
    }
  }

  private record Capture(String clusterName, String key, List<RecordingProxy> hazelcast, List<RecordingProxy> bus) {
    void assertHazelcastCarriesNoTensorNorSecretButWhatItMust() throws Exception {
      long total = hazelcast.stream().mapToLong(RecordingProxy::bytes).sum();
      for (RecordingProxy p : hazelcast) {
        assertTrue(find(p, le(PATTERN)).isEmpty(), "the tensor (little-endian) crossed " + p);
        assertTrue(find(p, be(PATTERN)).isEmpty(), "the tensor (big-endian) crossed " + p);
        assertTrue(find(p, ascii(Integer.toString(PATTERN[0]))).isEmpty(), "the tensor (as text) crossed " + p);
        assertTrue(find(p, ascii(key)).isEmpty(), "the API key crossed " + p);
        assertTrue(find(p, ascii(secret(key))).isEmpty(), "the key's secret crossed " + p);
      }
      // positive controls: the capture saw real member-to-member traffic, every pair of members' connection included
      // (Hazelcast keeps one connection per pair, opened by either side, and no member knows another's real port)
      int members = hazelcast.size();
      assertTrue(hazelcast.stream().mapToInt(RecordingProxy::connections).sum() >= members * (members - 1) / 2,
          "a pair of members talked around the proxies: " + hazelcast);
      assertTrue(anyHas(ascii(clusterName)), "the cluster name was not seen in " + total + " bytes: " + hazelcast);
      assertTrue(anyHas(ascii("maas.worker.")), "no event-bus subscription was seen: " + hazelcast);
    }

    boolean anyHas(byte[] needle) {
      return hazelcast.stream().anyMatch(p -> find(p, needle).isPresent());
    }
  }

  private Capture run(boolean tls, boolean twoGateways) throws Exception {
    TestCertificates certs = TestCertificates.write(cluster.dir().resolve("certs"), List.of());
    int base = cluster.hazelcastPort();
    Member first = new Member("gateway-1", base);
    Member second = twoGateways ? new Member("gateway-2", base + 1) : null;
    Member worker = new Member("worker", base + 2);
    int admin = ClusterHarness.freePort();

    GatewayProcess gateway = cluster.startGateway("gateway-1", gatewaySets(admin, first.sets(first, tls, certs)));
    gateway.awaitLive(START);
    if (second != null) {
      cluster.startGateway("gateway-2", gatewaySets(ClusterHarness.freePort(), second.sets(first, tls, certs)))
          .awaitLive(START);
    }
    WorkerOptions options = WorkerOptions.sim(5, 0);
    worker.sets(first, tls, certs).forEach(options::set);
    String workerId = cluster.startWorker("worker", options).awaitId(START);
    String key = tenants.createKey(admin, "{\"name\": \"capture\", \"rate_per_second\": 1000, \"burst\": 1000}");

    Poll.until(START, "gateway-1 serves a request with the key",
        () -> Tenants.send(request(gateway, key)).statusCode() == 200);
    for (int i = 0; i < REQUESTS; i++) {
      var r = Tenants.send(request(gateway, key));
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(workerId, r.headers().firstValue(LoadGenerator.WORKER_HEADER).orElse(""));
    }
    if (second != null) {
      // the key's record is on both gateways (owner and backup, and the map's events): it crossed
      byte[] hash = ascii(sha256Hex(secret(key)));
      Poll.until(Duration.ofSeconds(10), "the key's id and hash cross Hazelcast", () -> Stream.of(first, second)
          .anyMatch(m -> find(m.hazelcastProxy, hash).isPresent() && find(m.hazelcastProxy, ascii(Tenants.keyId(key)))
              .isPresent()));
    }
    tenants.assertNoSecretInLogs();

    List<RecordingProxy> hazelcast = new ArrayList<>();
    List<RecordingProxy> bus = new ArrayList<>();
    for (Member m : second == null ? List.of(first, worker) : List.of(first, second, worker)) {
      hazelcast.add(m.hazelcastProxy);
      bus.add(m.busProxy);
    }
    System.out.println("capture (tls " + tls + "): " + proxies);
    return new Capture(cluster.clusterName(), key, hazelcast, bus);
  }

  private static String[] gatewaySets(int admin, List<String> clusterSets) {
    List<String> sets = new ArrayList<>(List.of("gateway.auth_enabled=true", "gateway.admin_port=" + admin,
        "gateway.admin_token=" + Tenants.ADMIN_TOKEN));
    sets.addAll(clusterSets);
    return sets.toArray(String[]::new);
  }

  private static HttpRequest.Builder request(GatewayProcess gateway, String key) {
    String data = Arrays.stream(PATTERN).mapToObj(Integer::toString).collect(Collectors.joining(","));
    String body = "{\"inputs\": [{\"name\": \"INPUT0\", \"shape\": [1, 16], \"datatype\": \"INT32\", \"data\": [" + data
        + "]}, {\"name\": \"INPUT1\", \"shape\": [1, 16], \"datatype\": \"INT32\", \"data\": [" + data + "]}]}";
    return HttpRequest.newBuilder(gateway.uri(Traffic.SIMPLE)).header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private static String secret(String key) {
    return ApiKeys.parse(key).orElseThrow().secret();
  }

  private static String sha256Hex(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The first 8 values (32 bytes) of the pattern, in this byte order. */
  private static byte[] bytes(int[] values, ByteOrder order) {
    ByteBuffer b = ByteBuffer.allocate(32).order(order);
    for (int i = 0; i < 8; i++) {
      b.putInt(values[i]);
    }
    return b.array();
  }

  private static byte[] le(int[] values) {
    return bytes(values, ByteOrder.LITTLE_ENDIAN);
  }

  private static byte[] be(int[] values) {
    return bytes(values, ByteOrder.BIG_ENDIAN);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Where the needle first occurs in one of the proxy's recorded streams: "stream index:offset". */
  static Optional<String> find(RecordingProxy proxy, byte[] needle) {
    List<byte[]> streams = proxy.recorded();
    for (int s = 0; s < streams.size(); s++) {
      int at = indexOf(streams.get(s), needle);
      if (at >= 0) {
        return Optional.of(s + ":" + at);
      }
    }
    return Optional.empty();
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
