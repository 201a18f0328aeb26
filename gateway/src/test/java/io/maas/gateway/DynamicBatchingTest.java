package io.maas.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.worker.onnx.ElemType;
import io.maas.worker.onnx.OnnxModelBuilder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dynamic batching through a real node: concurrent REST requests to a batching model each get their own
 * rows back, and a request that finds the model's queue full is answered 503 with Retry-After at once.
 */
class DynamicBatchingTest {
  @TempDir
  static Path repo;

  static RunningNode node;

  @BeforeAll
  static void start() throws Exception {
    // waits (up to 3 s) until 4 rows are queued, so the 4 concurrent requests below run as one batch
    model("batched", "max_batch_size: 8\ndynamic_batching: {max_queue_delay_microseconds: 3000000, "
        + "preferred_batch_size: [4]}\n");
    // holds what it queues for 5 s unless 8 rows arrive; at most 2 requests wait
    model("tiny_queue", "max_batch_size: 8\ndynamic_batching: {max_queue_delay_microseconds: 5000000, "
        + "preferred_batch_size: [8], max_queue_size: 2}\n");
    node = RunningNode.start(repo);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static void model(String name, String config) throws Exception {
    TestRepository.write(repo, name, 1, OnnxModelBuilder.identity("identity", ElemType.FLOAT, -1, 3));
    Files.writeString(repo.resolve(name).resolve("config.yaml"), config);
  }

  private static CompletableFuture<HttpResponse<String>> inferAsync(String model, float... row) {
    JsonObject body = new JsonObject().put("inputs", new JsonArray().add(new JsonObject()
        .put("name", "INPUT0").put("shape", new JsonArray().add(1).add(row.length)).put("datatype", "FP32")
        .put("data", new JsonArray(List.of(row[0], row[1], row[2])))));
    return node.http.sendAsync(HttpRequest.newBuilder(node.uri("/v2/models/" + model + "/infer"))
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).header("Content-Type", "application/json").build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void concurrentRequestsToABatchingModelEachGetTheirOwnRows() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      answers.add(inferAsync("batched", i, 10 * i, 100 * i));
    }
    for (int i = 0; i < 4; i++) {
      HttpResponse<String> r = answers.get(i).get(30, TimeUnit.SECONDS);
      assertEquals(200, r.statusCode(), r.body());
      JsonObject out = RunningNode.json(r).getJsonArray("outputs").getJsonObject(0);
      assertEquals(new JsonArray().add(1).add(3), out.getJsonArray("shape"));
      assertEquals(new JsonArray().add((double) i).add(10.0 * i).add(100.0 * i), out.getJsonArray("data"), "request " + i);
    }
  }

  @Test
  void aFullQueueAnswers503WithRetryAfterWithoutWaiting() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      answers.add(inferAsync("tiny_queue", i, i, i));
    }
    // two requests fill the queue and wait out the 5 s delay; the third finds it full
    HttpResponse<String> refused = CompletableFuture.anyOf(answers.toArray(CompletableFuture[]::new))
        .thenApply(r -> (HttpResponse<String>) r).get(30, TimeUnit.SECONDS);
    assertEquals(503, refused.statusCode(), refused.body());
    assertTrue(refused.headers().firstValue("Retry-After").isPresent(), "Retry-After on a 503");
    assertEquals("UNAVAILABLE", refused.headers().firstValue("X-Maas-Error-Code").orElse(""));
    assertTrue(RunningNode.json(refused).getString("error").contains("is full"), refused.body());
    assertEquals(2, answers.stream().filter(f -> !f.isDone()).count(), "the queued two were still waiting");
    for (CompletableFuture<HttpResponse<String>> f : answers) {
      HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
      if (r != refused) {
        assertEquals(200, r.statusCode(), r.body());
      }
    }
    assertFalse(answers.stream().allMatch(f -> f.join().statusCode() == 200));
  }
}
