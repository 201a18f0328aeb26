package io.maas.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The API key the bench's requests carry, made as an operator makes one: {@code POST /admin/keys} on a
 * gateway's admin port with its admin token. Its limit is never reached (1,000,000 requests/s, burst
 * 10,000,000), so that every request goes through the whole admission (lookup, rate limit, metering) and
 * none is refused.
 */
final class BenchApiKey {
  static final String BODY = "{\"name\": \"bench\", \"owner\": \"bench\", \"rate_per_second\": 1000000, "
      + "\"burst\": 10000000}";

  private BenchApiKey() {}

  /** Makes the key, retrying until the admin API answers (it may start after the REST port); gives its secret. */
  static String create(int adminPort, String adminToken, Duration timeout) {
    return create(adminPort, adminToken, BODY, timeout);
  }

  /** The same with another body for {@code POST /admin/keys} (another name, other scopes). */
  static String create(int adminPort, String adminToken, String body, Duration timeout) {
    return create(Loopback.PLAINTEXT, adminPort, adminToken, body, timeout);
  }

  /** The same over TLS, or not, as {@code loopback} says (with {@code gateway.tls} the admin port is TLS too). */
  static String create(Loopback loopback, int adminPort, String adminToken, String body, Duration timeout) {
    HttpClient client = loopback.client();
    HttpRequest request = HttpRequest.newBuilder(loopback.uri(adminPort, "/admin/keys"))
        .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> answer = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() == 201) {
          return new JsonObject(answer.body()).getString("key");
        }
        last = "HTTP " + answer.statusCode() + ": " + answer.body();
      } catch (IOException e) {
        last = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
    throw new IllegalStateException("no API key from the admin API on port " + adminPort + " within " + timeout
        + " (" + last + ")");
  }
}
