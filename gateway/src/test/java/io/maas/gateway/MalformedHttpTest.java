package io.maas.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * HTTP/1 requests that no API can read, sent raw (what an HTTP library will not send): each gets a 4xx with the JSON
 * error body, on every port (REST, gRPC, admin), then the connection closes; none is left without an answer.
 */
@ExtendWith(SharedNode.class)
class MalformedHttpTest {
  static RunningNode node;

  @BeforeAll
  static void start(RunningNode shared) {
    node = shared;
  }

  private static List<Integer> ports() {
    return List.of(node.node.httpPort(), node.node.grpcPort(), node.gateway().adminPort());
  }

  /** Everything the server sends on one connection until it closes it (at most 10 s). */
  private static String exchange(int port, byte[] request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request);
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  private static String exchange(int port, String request) throws IOException {
    return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** The status codes of the responses in what a connection received, in order. */
  private static List<Integer> statuses(String received) {
    List<Integer> statuses = new ArrayList<>();
    Matcher m = Pattern.compile("HTTP/1\\.1 (\\d{3}) ").matcher(received);
    while (m.find()) {
      statuses.add(Integer.parseInt(m.group(1)));
    }
    return statuses;
  }

  private static void assertAnswered(String received, int status, String code, String message) {
    assertTrue(received.startsWith("HTTP/1.1 " + status + " "), received);
    assertTrue(received.toLowerCase().contains("content-type: application/json"), received);
    assertTrue(received.toLowerCase().contains("x-maas-error-code: " + code.toLowerCase()), received);
    assertTrue(received.contains(message), "expected '" + message + "' in " + received);
  }

  /** Vert.x answered these 501, a server fault; RFC 9110's 505 would be one too. */
  @Test
  void anHttpVersionOtherThan10Or11Is400OnEveryPort() throws Exception {
    for (int port : ports()) {
      for (String version : new String[] {"HTTP/9.9", "HTTP/1.2", "HTTP/2.0", "http/1.1", "HTTP/1"}) {
        String received = exchange(port, "GET /v2/health/live " + version + "\r\nHost: x\r\n\r\n");
        assertAnswered(received, 400, "INVALID_ARGUMENT", version.equals("HTTP/1")
            ? "malformed HTTP request" : "unsupported HTTP version");
      }
    }
  }

  @Test
  void aRequestLineOrHeadersOverTheLimitAre414And431WithABody() throws Exception {
    for (int port : ports()) {
      assertAnswered(exchange(port, "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"),
          414, "URI_TOO_LONG", "request line is over the server's limit");
      assertAnswered(exchange(port, "GET /v2/health/live HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(9_000)
          + "\r\n\r\n"), 431, "HEADERS_TOO_LARGE", "request headers are over the server's limit");
      assertAnswered(exchange(port, "GET /v2/health/live HTTP/1.1\r\nHost: x\r\nBad Name: x\r\n\r\n"),
          400, "INVALID_ARGUMENT", "malformed HTTP request");
      assertAnswered(exchange(port, "\u0000\u0001garbage\r\n\r\n"), 400, "INVALID_ARGUMENT", "malformed HTTP request");
    }
  }

  /** Vert.x closed these connections without a word. */
  @Test
  void aBodyWhoseFramingOrEncodingDoesNotDecodeIs400() throws Exception {
    assertAnswered(exchange(node.node.httpPort(), "POST /v2/models/simple/infer HTTP/1.1\r\nHost: x\r\n"
        + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"), 400, "INVALID_ARGUMENT", "malformed request body");
    String notGzip = "{\"inputs\": []}".repeat(20);
    assertAnswered(exchange(node.node.httpPort(), "POST /v2/models/simple/infer HTTP/1.1\r\nHost: x\r\n"
        + "Content-Encoding: gzip\r\nContent-Length: " + notGzip.length() + "\r\n\r\n" + notGzip),
        400, "INVALID_ARGUMENT", "Content-Encoding 'gzip' but not gzip data");
  }

  @Test
  void aGzipBodyStillDecodes() throws Exception {
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
      gzip.write(RestErrorsTest.GOOD.getBytes(StandardCharsets.UTF_8));
    }
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    request.write(("POST /v2/models/simple/infer HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Encoding: gzip\r\n"
        + "Content-Length: " + zipped.size() + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    request.write(zipped.toByteArray());
    assertEquals(List.of(200), statuses(exchange(node.node.httpPort(), request.toByteArray())));
  }

  /** A malformed request behind pipelined ones is answered after them, in order; so is a malformed body. */
  @Test
  void answersToPipelinedRequestsKeepTheirOrder() throws Exception {
    String slow = RestErrorsTest.GOOD;
    String first = "POST /v2/models/simple/infer HTTP/1.1\r\nHost: x\r\nContent-Length: " + slow.length() + "\r\n\r\n"
        + slow;
    String live = "GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n";
    assertEquals(List.of(200, 200, 400), statuses(exchange(node.node.httpPort(),
        first + live + "GET /v2/health/live HTTP/9.9\r\nHost: x\r\n\r\n")));
    assertEquals(List.of(200, 400), statuses(exchange(node.node.httpPort(),
        first + "POST /v2/models/simple/infer HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")));
  }
}
