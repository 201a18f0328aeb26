package io.maas.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The KServe {@code timeout} request parameter (µs) over REST, and the X-Maas-Worker response header. */
@ExtendWith(SharedNode.class)
class RequestDeadlineTest {

  static String body(Object timeout) {
    JsonObject b = new JsonObject().put("inputs", new JsonArray().add(new JsonObject()
        .put("name", "INPUT0").put("datatype", "INT32").put("shape", new JsonArray().add(1).add(3))
        .put("data", new JsonArray().add(1).add(2).add(3))));
    return (timeout == null ? b : b.put("parameters", new JsonObject().put("timeout", timeout))).encode();
  }

  @Test
  void aOneMicrosecondTimeoutAnswers504(RunningNode node) throws Exception {
    HttpResponse<String> r = node.post("/v2/models/identity_int32/infer", body(1));
    assertEquals(504, r.statusCode(), r.body());
    assertTrue(r.body().contains("deadline"), r.body());
  }

  @Test
  void badTimeoutsAnswer400(RunningNode node) throws Exception {
    for (Object bad : new Object[] {0, -1, 2.5, "1000", 3_600_000_000_000L}) {
      HttpResponse<String> r = node.post("/v2/models/identity_int32/infer", body(bad));
      assertEquals(400, r.statusCode(), bad + ": " + r.body());
      assertTrue(r.body().contains("parameters.timeout"), r.body());
    }
  }

  @Test
  void aGenerousTimeoutSucceedsAndTheResponseNamesTheWorker(RunningNode node) throws Exception {
    HttpResponse<String> r = node.post("/v2/models/identity_int32/infer", body(10_000_000));
    assertEquals(200, r.statusCode(), r.body());
    String worker = r.headers().firstValue("X-Maas-Worker").orElse("");
    assertTrue(node.gateway().registry().workers().stream().anyMatch(w -> w.workerId().equals(worker)),
        "X-Maas-Worker: '" + worker + "'");
  }
}
