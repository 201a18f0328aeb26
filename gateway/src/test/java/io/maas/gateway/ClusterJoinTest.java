package io.maas.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.config.MaasConfig;
import io.maas.node.MaasNode;
import io.maas.worker.onnx.ElemType;
import io.maas.worker.onnx.OnnxModelBuilder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone node forms a real Hazelcast cluster that a separate worker can join: the gateway
 * learns the new worker's model from its announcement and routes to it, so requests and responses
 * cross the cluster in the binary wire encoding.
 */
class ClusterJoinTest {

  @Test
  void aWorkerJoiningTheStandaloneClusterServesItsModelsThroughTheGateway(
      @TempDir Path standaloneRepo, @TempDir Path workerRepo) throws Exception {
    TestRepository.write(standaloneRepo, "local_only", 1, OnnxModelBuilder.identity("l", ElemType.INT32, -1, 2));
    TestRepository.write(workerRepo, "remote_only", 1, OnnxModelBuilder.create("neg")
        .input("INPUT0", ElemType.FLOAT, -1, 2)
        .output("OUTPUT0", ElemType.FLOAT, -1, 2)
        .node("Neg", java.util.List.of("INPUT0"), java.util.List.of("OUTPUT0"))
        .build());
    try (RunningNode standalone = RunningNode.start(standaloneRepo)) {
      assertEquals(404, standalone.get("/v2/models/remote_only").statusCode());
      MaasConfig workerConfig = RunningNode.config(workerRepo, standalone.config.cluster().name());
      try (RunningNode worker = new RunningNode(workerConfig, MaasNode.Mode.WORKER)) {
        awaitStatus(standalone, "/v2/models/remote_only/ready", 200, Duration.ofSeconds(30));
        String body = new JsonObject().put("inputs", new JsonArray().add(new JsonObject()
            .put("name", "INPUT0").put("datatype", "FP32").put("shape", new JsonArray().add(1).add(2))
            .put("data", new JsonArray().add(1.5).add(-2.25)))).encode();
        HttpResponse<String> r = standalone.post("/v2/models/remote_only/infer", body);
        assertEquals(200, r.statusCode(), r.body());
        JsonArray data = RunningNode.json(r).getJsonArray("outputs").getJsonObject(0).getJsonArray("data");
        assertEquals(new JsonArray().add(-1.5f).add(2.25f), data);
      }
      // the worker left: its model leaves the routing table (known, held by none: 503), the local one stays
      awaitStatus(standalone, "/v2/models/remote_only/ready", 503, Duration.ofSeconds(30));
      HttpResponse<String> gone = standalone.post("/v2/models/remote_only/infer", "{\"inputs\":[]}");
      assertEquals(503, gone.statusCode(), gone.body());
      assertEquals("1", gone.headers().firstValue("Retry-After").orElse(""));
      assertTrue(gone.body().contains("no worker holds model 'remote_only'"), gone.body());
      assertEquals(200, standalone.get("/v2/models/local_only/ready").statusCode());
      assertTrue(standalone.get("/v2/health/ready").statusCode() == 200);
    }
  }

  static void awaitStatus(RunningNode node, String path, int status, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    int last = -1;
    while (System.nanoTime() < deadline) {
      last = node.get(path).statusCode();
      if (last == status) {
        return;
      }
      node.node.vertx().timer(50).await();
    }
    throw new AssertionError(path + " answered " + last + ", not " + status + ", within " + timeout);
  }
}
