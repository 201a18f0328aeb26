import io.maas.server.MaasServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

/**
 * The document's step 2 in Java: build a server for my_model, serve it, call it as step 3 does, stop it.
 * Run from the repository root: java -cp gateway/target/maas-gateway.jar docs/examples/ServeMyModel.java
 */
public class ServeMyModel {
  public static void main(String[] args) throws Exception {
    try (MaasServer server = MaasServer.builder()
        .addModel("my_model", Path.of("docs/examples/my_model"))
        .port(9000)
        .serve()) {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + "/my_model/predict"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"images\": [[1, 299, 299, 3, 0.5]]}"))
          .build();
      String body = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body();
      JsonArray scores = new JsonObject(body).getJsonArray("scores").getJsonArray(0);
      int best = 0;
      for (int i = 0; i < scores.size(); i++) {
        best = scores.getDouble(i) > scores.getDouble(best) ? i : best;
      }
      System.out.printf("scores %.4f %.4f %.4f, class %d%n", scores.getDouble(0), scores.getDouble(1),
          scores.getDouble(2), best);
    }
  }
}
