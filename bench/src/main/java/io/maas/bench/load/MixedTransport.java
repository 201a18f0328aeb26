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
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * {@code POST /v2/models/<model>/infer} (KServe V2 JSON, HTTP/1.1 keep-alive, the target's API key) where each
 * request names the model its chooser gives: a mix of models behind one gateway. Besides the load generator's own
 * record it keeps, by the time each answer arrived, a {@link Tally} of what the mix did inside a window: requests
 * and failures per model, answers per served version ({@code model_version} of the body) and per worker
 * ({@code X-Maas-Worker}), and the requests sent for a model that, by the caller's last look, no worker held ready
 * (so that request probably waited for a load). Failures are also counted, by message, for the transport's whole
 * life, warm-up included. Called only from the load generator's event loop.
 */
public final class MixedTransport implements Transport {
  private final HttpClient client;
  private final int port;
  private final String authorization;
  private final Buffer body;
  private final Supplier<String> chooser;
  private final Predicate<String> readySomewhere;
  private final Map<String, Long> failureKinds = new TreeMap<>();
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
    private final Histogram readyMicros = new Histogram(Recorder.MAX_MICROS, 3);
    private final Histogram notReadyMicros = new Histogram(Recorder.MAX_MICROS, 3);
    private final Map<String, Histogram> modelMicros = new TreeMap<>();
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

    void add(String model, String version, String worker, boolean ok, boolean notReady, long micros) {
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
      long v = Math.min(Recorder.MAX_MICROS, Math.max(0, micros));
      (notReady ? notReadyMicros : readyMicros).recordValue(v);
      modelMicros.computeIfAbsent(model, k -> new Histogram(Recorder.MAX_MICROS, 2)).recordValue(v);
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

    /**
     * Latencies (µs, from the send) of the successful answers to requests sent while, by the last look, some worker
     * held their model ready.
     */
    public Histogram readyMicros() {
      return readyMicros.copy();
    }

    /** Latencies (µs, from the send) of one model's successful answers; empty if none. */
    public Histogram micros(String model) {
      Histogram h = modelMicros.get(model);
      return h == null ? new Histogram(Recorder.MAX_MICROS, 2) : h.copy();
    }

    /** The same for requests sent while no worker held their model ready. */
    public Histogram notReadyMicros() {
      return notReadyMicros.copy();
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

  /**
   * Failures over the transport's life by kind: the message with the model's name left out, so that one cause counts
   * once whatever the model.
   */
  public Map<String, Long> failureKinds() {
    return Map.copyOf(failureKinds);
  }

  /** A failure message without the model's name in it. */
  static String kind(String model, String message) {
    return message.replace("'" + model + "'", "'<model>'").replace("(" + model + ")", "(<model>)");
  }

  @Override
  public Future<Void> send() {
    String model = chooser.get();
    boolean notReady = !readySomewhere.test(model);
    long sent = System.nanoTime();
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
          answered(model, new JsonObject(b).getString("model_version"), resp.getHeader("X-Maas-Worker"), notReady,
              sent);
          return (Void) null;
        }))
        .onFailure(e -> failed(model, String.valueOf(e.getMessage())));
  }

  private void answered(String model, String version, String worker, boolean notReady, long sent) {
    answersEver++;
    long now = System.nanoTime();
    if (tally.covers(now)) {
      tally.add(model, version, worker, true, notReady, (now - sent) / 1000);
    }
  }

  private void failed(String model, String message) {
    answersEver++;
    failuresEver++;
    failureKinds.merge(kind(model, message), 1L, Long::sum);
    long now = System.nanoTime();
    if (tally.covers(now)) {
      tally.add(model, null, null, false, false, 0);
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
