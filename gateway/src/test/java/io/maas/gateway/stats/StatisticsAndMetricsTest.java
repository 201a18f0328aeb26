package io.maas.gateway.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.maas.bus.Addresses;
import io.maas.config.GatewayConfig;
import io.maas.config.MaasConfig;
import io.maas.config.MetricsConfig;
import io.maas.config.SessionConfig;
import io.maas.config.SimConfig;
import io.maas.config.SlotConfig;
import io.maas.config.WorkerConfig;
import io.maas.gateway.RunningNode;
import io.maas.gateway.TestRepository;
import io.maas.gateway.http.V2Routes;
import io.maas.node.MaasNode;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The statistics extension and /metrics on a real standalone node with TWO worker slots (the simulated
 * device: it reports each request's real batch items), over real sockets: counts add up per worker and
 * summed, and the Prometheus families agree with them.
 */
@Timeout(120)
class StatisticsAndMetricsTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  /** Batch sizes of the affine_fp32 requests sent: their sum is the expected inference_count. */
  private static final int[] BATCHES = {1, 3, 2, 1, 4, 1, 2, 5, 1, 1, 3, 2, 1, 1, 2, 1, 4, 1, 2, 1};

  @TempDir
  static Path dir;
  private static RunningNode node;
  private static String clusterName;
  private static Set<String> servedBy = new HashSet<>();

  @BeforeAll
  static void start() throws Exception {
    Path repo = dir.resolve("repo");
    for (String m : List.of("simple", "affine_fp32")) {
      TestRepository.copyTree(Path.of(System.getProperty("maas.root", ".")).resolve("conf/models").resolve(m), repo.resolve(m));
    }
    clusterName = "maas-stats-" + UUID.randomUUID();
    MaasConfig c = RunningNode.config(repo, clusterName);
    SlotConfig sim = new SlotConfig("sim", List.of(), new SessionConfig(1, 1, "all"), new SimConfig(1, 0, 0));
    node = new RunningNode(new MaasConfig(c.gateway(), new WorkerConfig(repo, List.of(sim, sim), 200, 0),
        c.cluster()), MaasNode.Mode.STANDALONE);
    node.awaitReady(Duration.ofSeconds(60));
    for (int batch : BATCHES) {
      HttpResponse<String> r = node.post("/v2/models/affine_fp32/infer", affine(batch));
      assertEquals(200, r.statusCode(), r.body());
      servedBy.add(r.headers().firstValue(V2Routes.WORKER_HEADER).orElseThrow());
    }
    // one client error: a wrong shape (counted by the gateway; validation happens before the model's queue)
    HttpResponse<String> bad = node.post("/v2/models/affine_fp32/infer",
        "{\"inputs\": [{\"name\": \"INPUT0\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}");
    assertEquals(400, bad.statusCode(), bad.body());
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  private static String affine(int batch) {
    JsonArray data = new JsonArray();
    for (int i = 0; i < batch * 4; i++) {
      data.add(i);
    }
    return new JsonObject().put("inputs", new JsonArray().add(new JsonObject().put("name", "INPUT0")
        .put("shape", new JsonArray().add(batch).add(4)).put("datatype", "FP32").put("data", data))).encode();
  }

  private static int items() {
    int sum = 0;
    for (int b : BATCHES) {
      sum += b;
    }
    return sum;
  }

  private static JsonObject stats(String path) throws Exception {
    HttpResponse<String> r = node.get(path);
    assertEquals(200, r.statusCode(), r.body());
    return RunningNode.json(r);
  }

  private static long count(JsonObject stat, String which) {
    return stat.getJsonObject("inference_stats").getJsonObject(which).getLong("count");
  }

  @Test
  void modelStatsCountEveryRequestAndItemAcrossBothWorkers() throws Exception {
    JsonObject body = stats("/v2/models/affine_fp32/stats");
    assertEquals(new JsonObject().put("asked", 2).put("answered", 2), body.getJsonObject("maas_workers"));
    JsonArray all = body.getJsonArray("model_stats");
    assertEquals(1, all.size(), all.encodePrettily());
    JsonObject s = all.getJsonObject(0);
    assertEquals("affine_fp32", s.getString("name"));
    assertEquals("1", s.getString("version"));
    assertEquals(BATCHES.length, count(s, "success"));
    assertEquals(BATCHES.length, count(s, "queue"));
    assertEquals(items(), s.getLong("inference_count"));
    assertEquals(0, s.getLong("cold_load_count"), "loaded at start, none cold: the field survives the sum");
    long executions = s.getLong("execution_count");
    assertTrue(executions >= 1 && executions <= BATCHES.length, "execution_count " + executions);
    assertEquals(executions, count(s, "compute_infer"), "one request per execution without batching");
    long perBatchExecutions = 0;
    for (Object b : s.getJsonArray("batch_stats")) {
      perBatchExecutions += ((JsonObject) b).getJsonObject("compute_infer").getLong("count");
    }
    assertEquals(executions, perBatchExecutions, "batch_stats cover every execution");
    assertTrue(s.getJsonObject("inference_stats").getJsonObject("success").getLong("ns") > 0);
    assertTrue(s.getLong("last_inference") > System.currentTimeMillis() - 600_000);
  }

  @Test
  void theGatewaysSumIsTheSumOfWhatEachWorkerReports() throws Exception {
    assertEquals(2, servedBy.size(), "both workers served requests: " + servedBy);
    long success = 0;
    long items = 0;
    for (String worker : servedBy) {
      JsonObject reply = node.node.vertx().eventBus()
          .<JsonObject>request(Addresses.workerStats(worker), new JsonObject().put("model", "affine_fp32"))
          .map(Message::body).await();
      assertEquals(worker, reply.getString("worker_id"));
      JsonObject s = reply.getJsonArray("model_stats").getJsonObject(0);
      assertTrue(count(s, "success") > 0, worker + " served some");
      success += count(s, "success");
      items += s.getLong("inference_count");
    }
    JsonObject total = stats("/v2/models/affine_fp32/versions/1/stats").getJsonArray("model_stats").getJsonObject(0);
    assertEquals(success, count(total, "success"));
    assertEquals(items, total.getLong("inference_count"));
  }

  @Test
  void aModelWithNoTrafficReportsZeros() throws Exception {
    JsonObject s = stats("/v2/models/simple/stats").getJsonArray("model_stats").getJsonObject(0);
    assertEquals("simple", s.getString("name"));
    assertEquals(0, s.getLong("inference_count"));
    assertEquals(0, s.getLong("execution_count"));
    assertEquals(0, count(s, "success"));
    assertEquals(0, count(s, "fail"));
    assertEquals(new JsonArray(), s.getJsonArray("batch_stats"));
  }

  @Test
  void allModelStatsListEveryModelVersion() throws Exception {
    JsonArray all = stats("/v2/models/stats").getJsonArray("model_stats");
    assertEquals(List.of("affine_fp32", "simple"), all.stream().map(o -> ((JsonObject) o).getString("name")).toList());
  }

  @Test
  void unknownModelsAndVersionsAre404() throws Exception {
    assertEquals(404, node.get("/v2/models/nope/stats").statusCode());
    assertEquals(404, node.get("/v2/models/nope/versions/1/stats").statusCode());
    assertEquals(404, node.get("/v2/models/affine_fp32/versions/7/stats").statusCode());
    assertEquals(404, node.get("/v2/models/affine_fp32/versions/x/stats").statusCode(), "a label it does not have");
    assertEquals(400, node.get("/v2/models/affine_fp32/versions/1.5/stats").statusCode());
  }

  @Test
  void serverMetadataListsTheStatisticsExtension() throws Exception {
    assertTrue(stats("/v2").getJsonArray("extensions").contains("statistics"));
  }

  @Test
  void metricsExposeTheInferenceFamiliesInAgreementWithTheStatistics() throws Exception {
    HttpResponse<String> r = scrape(node.node.metricsPort());
    assertEquals(200, r.statusCode());
    assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
    Scrape m = new Scrape(r.body());
    String affine = "model=\"affine_fp32\"";
    assertEquals(BATCHES.length, m.sum("maas_inference_request_success_total", affine));
    assertEquals(2, m.lines("maas_inference_request_failure_total{" + affine).size(), "one series per worker");
    assertEquals(items(), m.sum("maas_inference_count_total", affine));
    long executions = (long) m.sum("maas_inference_exec_count_total", affine);
    assertTrue(executions >= 1 && executions <= BATCHES.length);
    assertEquals(BATCHES.length, m.sum("maas_inference_request_duration_seconds_count", affine));
    assertEquals(BATCHES.length, m.sum("maas_inference_queue_duration_seconds_count", affine));
    assertEquals(executions, m.sum("maas_inference_compute_infer_duration_seconds_count", affine));
    assertEquals(executions, m.sum("maas_inference_batch_size_count", affine));
    assertEquals(items(), m.sum("maas_inference_batch_size_sum", affine), "batch sizes add up to the items");
    assertEquals(executions, m.sum("maas_inference_batch_size_bucket", affine + ",version=\"1\",worker=", "le=\"+Inf\""));
    // live gauges: present for every model version and worker, 0 when idle
    assertEquals(4, m.lines("maas_inference_queue_depth{").size(), "2 models x 2 workers");
    assertEquals(0, m.sum("maas_inference_queue_depth"));
    assertEquals(2, m.lines("maas_inference_in_flight{").size(), "one per worker");
    assertEquals(0, m.sum("maas_inference_in_flight"));
    // the gateway's view: every request once, by outcome
    assertEquals(BATCHES.length, m.sum("maas_gateway_requests_total", affine, "code=\"OK\""));
    assertEquals(1, m.sum("maas_gateway_requests_total", affine, "code=\"INVALID_ARGUMENT\""));
    assertEquals(BATCHES.length, m.sum("maas_gateway_request_duration_seconds_count", affine, "code=\"OK\""));
    // JVM and Vert.x
    assertEquals(1, m.lines("jvm_gc_memory_allocated_bytes_total").size(), "allocation counter (grows at each GC)");
    assertTrue(m.sum("jvm_memory_used_bytes") > 0);
    assertTrue(m.sum("jvm_threads_live_threads") > 0);
    assertTrue(m.sum("jvm_classes_loaded_classes") > 0);
    assertTrue(m.sum("system_cpus") > 0);
    assertTrue(m.sum("process_cpu_seconds_total") > 0, "Prometheus' standard CPU counter, in seconds");
    assertTrue(m.lines("system_cpu_count").isEmpty() && m.lines("process_cpu_time").isEmpty(), "promtool's warnings");
    assertTrue(m.sum("vertx_http_server_requests_total") > 0, "Vert.x HTTP server metrics");
    assertTrue(!m.lines("vertx_eventbus_").isEmpty(), "Vert.x event-bus metrics");
  }

  @Test
  void unknownModelNamesDoNotBecomeMetricLabels() throws Exception {
    String name = "no-such-model-" + UUID.randomUUID();
    assertEquals(404, node.post("/v2/models/" + name + "/infer", affine(1)).statusCode());
    assertEquals(404, node.get("/v2/models/" + name + "/stats").statusCode());
    Scrape m = new Scrape(scrape(node.node.metricsPort()).body());
    assertTrue(m.lines("maas_").stream().noneMatch(l -> l.contains(name)));
  }

  @Test
  void theAdminPortAnswersOnlyMetricsWithoutKeys() throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + node.node.metricsPort() + "/admin/keys")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(404, r.statusCode());
  }

  @Test
  void aWorkerOnlyNodeServesMetricsOnItsOwnPort() throws Exception {
    // a worker holds no cluster data: it joins the running node's cluster, which has a member that does
    MaasConfig c = RunningNode.config(dir.resolve("repo"), clusterName);
    SlotConfig sim = new SlotConfig("sim", List.of(), new SessionConfig(1, 1, "all"), new SimConfig(1, 0, 0));
    MaasNode worker = MaasNode.start(new MaasConfig(c.gateway(), new WorkerConfig(dir.resolve("repo"), List.of(sim), 200, 0),
        c.cluster()), MaasNode.Mode.WORKER).await();
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      Scrape m = new Scrape(scrape(worker.metricsPort()).body());
      while (m.lines("maas_inference_queue_depth{").size() < 2 && System.nanoTime() < deadline) {
        worker.vertx().timer(50).await();
        m = new Scrape(scrape(worker.metricsPort()).body());
      }
      assertEquals(2, m.lines("maas_inference_queue_depth{").size(), "both models loaded");
      assertEquals(1, m.lines("maas_inference_in_flight{").size());
      assertEquals(1, m.lines("jvm_gc_memory_allocated_bytes_total").size());
      assertTrue(m.lines("maas_gateway_").isEmpty(), "no gateway in a worker-only process");
    } finally {
      worker.close().await();
    }
  }

  @Test
  void aMetricsPortAlreadyTakenRefusesTheStartBeforeTheClusterIsJoined() {
    MaasConfig c = RunningNode.config(dir.resolve("repo"), clusterName);
    SlotConfig sim = new SlotConfig("sim", List.of(), new SessionConfig(1, 1, "all"), new SimConfig(1, 0, 0));
    MaasConfig taken = new MaasConfig(c.gateway(), new WorkerConfig(dir.resolve("repo"), List.of(sim), 200, 0),
        c.cluster(), c.tenancy(), new MetricsConfig("127.0.0.1", node.node.metricsPort()));
    String refusal = refusedBeforeJoining(taken, MaasNode.Mode.WORKER);
    assertTrue(refusal.contains("worker.metrics_port") && refusal.contains(":" + node.node.metricsPort()), refusal);
  }

  @Test
  void aGatewayPortAlreadyTakenRefusesTheStartBeforeTheClusterIsJoined() {
    MaasConfig c = RunningNode.config(dir.resolve("repo"), clusterName);
    GatewayConfig g = c.gateway();
    MaasConfig taken = new MaasConfig(new GatewayConfig(g.host(), node.node.httpPort(), g.grpcPort(), g.maxBodyBytes(),
        g.maxTensorElements(), g.requestTimeoutMillis(), g.maxRequestTimeoutMillis(), g.maxInFlightPerWorker(),
        g.breaker(), g.grpcOnHttpPort(), g.connections(), g.hedge(), g.bodies(), g.placement(), g.tls()),
        c.worker(), c.cluster(), c.tenancy(), c.metrics());
    String refusal = refusedBeforeJoining(taken, MaasNode.Mode.GATEWAY);
    assertTrue(refusal.contains("gateway.http_port") && refusal.contains(":" + node.node.httpPort()), refusal);
  }

  /**
   * Starts a node expected to be refused for a setting, and checks that it never joined the cluster: a node that
   * joined and then failed would join and leave at once, and a node started next on its Hazelcast address could
   * be expelled by a member still closing the old connection.
   */
  private static String refusedBeforeJoining(MaasConfig config, MaasNode.Mode mode) {
    List<MembershipEvent> joined = new CopyOnWriteArrayList<>();
    Map<HazelcastInstance, UUID> listening = new HashMap<>();
    for (HazelcastInstance member : Hazelcast.getAllHazelcastInstances()) {
      listening.put(member, member.getCluster().addMembershipListener(new MembershipListener() {
        @Override
        public void memberAdded(MembershipEvent event) {
          joined.add(event);
        }

        @Override
        public void memberRemoved(MembershipEvent event) {}
      }));
    }
    try {
      assertFalse(listening.isEmpty(), "the running node's cluster member is watched");
      Throwable failure = assertThrows(Throwable.class, () -> MaasNode.start(config, mode).await());
      Throwable refusal = failure;
      while (refusal != null && !(refusal instanceof IllegalArgumentException)) {
        refusal = refusal.getCause();
      }
      assertNotNull(refusal, "a refusal (IllegalArgumentException), not a failure: " + failure);
      assertEquals(List.of(), joined, "no member joined for the refused start");
      return refusal.getMessage();
    } finally {
      listening.forEach((member, id) -> member.getCluster().removeMembershipListener(id));
    }
  }

  private static HttpResponse<String> scrape(int port) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).GET()
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
