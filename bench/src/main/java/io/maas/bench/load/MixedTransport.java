package io.maas.bench.load;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * {@code POST /v2/models/<model>/infer} (KServe V2 JSON, HTTP/1.1 keep-alive, the target's API key) where each
 * request names the model its chooser gives: a mix of models behind one gateway. Besides the load generator's own
 * record it keeps, by the time each answer arrived, a {@link Tally} of what the mix did inside a window: requests
 * and failures per model, answers per served version ({@code model_version} of the body) and per worker
 * ({@code X-Maas-Worker}), and the requests sent for a model that, by the caller's last look, no worker held ready
 * (so that request probably waited for a load). Failures are also kept for the transport's whole life, warm-up
 * included. Called only from the load generator's event loop.
 */
public final class MixedTransport implements Transport {
  private final HttpClient client;
  private final int port;
  private final String authorization;
  private final Buffer body;
  private final Supplier<String> chooser;
  private final Predicate<String> readySomewhere;
  private final List<String> failureMessages = new ArrayList<>();
  private long failuresEver;
  private long answersEver;
  private Tally tally = new Tally(Long.MIN_VALUE, Long.MIN_VALUE);

  /**
   * @param chooser the model of the next request (called on the event loop)
   * @param readySomewhere whether a worker holds the model ready, by the caller's last look; may lag
   */
  public MixedTransport(Vertx vertx, Target target, InferPayload payload, int connections, Supplier<String> chooser,
      Predicate<String> readySomewhere) {
    this.client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_1_1)
            .setKeepAlive(true).setPipelining(false).setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(connections));
    this.port = target.httpPorts().get(0);
    this.authorization = target.authorization().orElse(null);
    this.body = payload.json();
    this.chooser = chooser;
    this.readySomewhere = readySomewhere;
  }

  /**
   * What the mix did in one window {@code [from, to)} of {@link System#nanoTime()}, by when each answer arrived
   * (as the load generator's record counts them).
   */
  public static final class Tally {
    private final long from;
    private final long to;
    private final Map<String, long[]> byModel = new TreeMap<>();
    private final Map<String, Long> byVersion = new TreeMap<>();
    private final Map<String, Long> byWorker = new TreeMap<>();
    private long notReadyAtSend;
    private long requests;
    private long failures;

    Tally(long from, long to) {
      this.from = from;
      this.to = to;
    }

    boolean covers(long now) {
      return now >= from && now < to;
    }

    void add(String model, String version, String worker, boolean ok, boolean notReady) {
      requests++;
      long[] n = byModel.computeIfAbsent(model, k -> new long[2]);
      n[0]++;
      if (!ok) {
        failures++;
        n[1]++;
        return;
      }
      if (notReady) {
        notReadyAtSend++;
      }
      byVersion.merge(version == null ? "?" : version, 1L, Long::sum);
      byWorker.merge(worker == null ? "?" : worker, 1L, Long::sum);
    }

    /** Requests answered in the window, failed or not. */
    public long requests() {
      return requests;
    }

    public long failures() {
      return failures;
    }

    /** Requests (answered in the window) per model. */
    public long requests(String model) {
      long[] n = byModel.get(model);
      return n == null ? 0 : n[0];
    }

    /** Successful answers per served version. */
    public Map<String, Long> byVersion() {
      return Map.copyOf(byVersion);
    }

    /** Successful answers per worker that served them. */
    public Map<String, Long> byWorker() {
      return Map.copyOf(byWorker);
    }

    /** Successful answers to requests sent while, by the last look, no worker held their model ready. */
    public long notReadyAtSend() {
      return notReadyAtSend;
    }
  }

  /** Starts a new window; gives its tally (read it once the load finished). */
  public Tally window(long fromNanos, long toNanos) {
    tally = new Tally(fromNanos, toNanos);
    return tally;
  }

  /** Failed requests over the transport's life, warm-up and windows alike. */
  public long failuresEver() {
    return failuresEver;
  }

  /** Answers, failed or not, over the transport's life. */
  public long answersEver() {
    return answersEver;
  }

  /** The first few distinct failure messages over the transport's life. */
  public List<String> failureMessages() {
    return List.copyOf(failureMessages);
  }

  @Override
  public Future<Void> send() {
    String model = chooser.get();
    boolean notReady = !readySomewhere.test(model);
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
        .setURI("/v2/models/" + model + "/infer").putHeader("Content-Type", "application/json");
    if (authorization != null) {
      o.putHeader("Authorization", authorization);
    }
    return client.request(o)
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().map(b -> {
          if (resp.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + resp.statusCode() + " (" + model + "): "
                + Errors.shorten(b.toString()));
          }
          answered(model, new JsonObject(b).getString("model_version"), resp.getHeader("X-Maas-Worker"), notReady);
          return (Void) null;
        }))
        .onFailure(e -> failed(model, String.valueOf(e.getMessage())));
  }

  private void answered(String model, String version, String worker, boolean notReady) {
    answersEver++;
    long now = System.nanoTime();
    if (tally.covers(now)) {
      tally.add(model, version, worker, true, notReady);
    }
  }

  private void failed(String model, String message) {
    answersEver++;
    failuresEver++;
    if (failureMessages.size() < Recorder.KEPT_MESSAGES && !failureMessages.contains(message)) {
      failureMessages.add(message);
    }
    long now = System.nanoTime();
    if (tally.covers(now)) {
      tally.add(model, null, null, false, false);
    }
  }

  @Override
  public int itemsPerRequest() {
    return 1;
  }

  @Override
  public String name() {
    return "rest-json";
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }
}
