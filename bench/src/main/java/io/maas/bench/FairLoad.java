package io.maas.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.maas.bench.load.OpenLoopSchedule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The fairness scenario's load: several flows at once, each an API key sending one request body to one path of a
 * gateway on 127.0.0.1 open-loop at a fixed rate ({@link OpenLoopSchedule}: latency from each request's intended
 * start), every answer counted by outcome (200, 503, 504, other). One Vert.x event loop sends and records
 * everything; each flow has an HTTP/1.1 client of its own, so that a flood's connections never hold up a light
 * flow's. Also a closed loop (a model's capacity) and a burst (every request at once).
 */
final class FairLoad implements AutoCloseable {
  /** A flow may have this many requests outstanding; more are counted as {@code other}, not sent. */
  static final int MAX_OUTSTANDING = 4_000;
  static final long DRAIN_MILLIS = 60_000;
  static final long MAX_MICROS = 120_000_000L;

  /** Connections each open-loop flow may hold; requests beyond wait in the client (their latency counts from due). */
  static final int OPEN_LOOP_CONNECTIONS = 256;

  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
      .setBlockedThreadCheckInterval(10).setBlockedThreadCheckIntervalUnit(TimeUnit.SECONDS));
  private final Context context = vertx.getOrCreateContext();
  private final int port;

  FairLoad(int port) {
    this.port = port;
  }

  /**
   * One flow of requests.
   *
   * @param name what the report calls it ("A", "B", "weight 3", ...)
   * @param key the API key it carries
   * @param path e.g. {@code /v2/models/fair_sim/infer}
   * @param body the JSON request
   * @param rate requests per second (open loop); ignored by the closed loop and the burst
   */
  record Flow(String name, String key, String path, String body, double rate) {
    Flow at(double otherRate) {
      return new Flow(name, key, path, body, otherRate);
    }
  }

  /**
   * What one flow got for the requests due inside the measured window, each counted once it answered.
   *
   * @param askedRate the flow's rate (requests/s)
   * @param seconds the window
   * @param sent requests due in the window
   * @param okMicros latencies of the 200s, from each request's intended start (closed loop, burst: its send)
   * @param maxAnswerMicros the latest answer of any outcome
   */
  record FlowResult(String name, double askedRate, double seconds, long sent, long ok, long rejected, long expired,
      long other, Histogram okMicros, long maxAnswerMicros) {
    double okPerSecond() {
      return ok / seconds;
    }

    /** A latency percentile of the 200s in milliseconds; NaN without any. */
    double ms(double percentile) {
      return okMicros.getTotalCount() == 0 ? Double.NaN : okMicros.getValueAtPercentile(percentile) / 1000.0;
    }

    double maxAnswerMs() {
      return maxAnswerMicros / 1000.0;
    }
  }

  /** Counts one flow's answers (on the event loop only). */
  private static final class Counts {
    final FairLoad.Flow flow;
    final HttpClient client;
    final RequestOptions options;
    final Buffer body;
    final Histogram ok = new Histogram(MAX_MICROS, 3);
    long sent;
    long oks;
    long rejected;
    long expired;
    long other;
    long maxMicros;
    int outstanding;

    Counts(Vertx vertx, Flow flow, int port, int connections) {
      this.flow = flow;
      this.client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_1_1)
          .setKeepAlive(true).setPipelining(false).setTcpNoDelay(true), new PoolOptions().setHttp1MaxSize(connections));
      this.options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
          .setURI(flow.path()).setTimeout(60_000).putHeader("Content-Type", "application/json")
          .putHeader("Authorization", "Bearer " + flow.key());
      this.body = Buffer.buffer(flow.body());
    }

    Future<Integer> send() {
      outstanding++;
      return client.request(options).compose(req -> req.send(body))
          .compose(resp -> resp.body().map(b -> resp.statusCode()))
          .eventually(() -> {
            outstanding--;
            return Future.succeededFuture();
          });
    }

    void record(long dueNanos, int status, long answeredNanos) {
      long micros = Math.min(MAX_MICROS, Math.max(0, (answeredNanos - dueNanos) / 1000));
      maxMicros = Math.max(maxMicros, micros);
      switch (status) {
        case 200 -> {
          oks++;
          ok.recordValue(micros);
        }
        case 503 -> rejected++;
        case 504 -> expired++;
        default -> other++;
      }
    }

    FlowResult result(double seconds) {
      return new FlowResult(flow.name(), flow.rate(), seconds, sent, oks, rejected, expired, other, ok, maxMicros);
    }

    Future<Void> close() {
      return client.close();
    }
  }

  /**
   * Every flow open-loop at its rate for {@code warmUp + measure}; counts the requests due in the measured window,
   * then waits (bounded) until each of them answered.
   */
  List<FlowResult> openLoop(List<Flow> flows, Duration warmUp, Duration measure) {
    Promise<List<FlowResult>> done = Promise.promise();
    context.runOnContext(v -> {
      long start = System.nanoTime();
      long from = start + warmUp.toNanos();
      long to = from + measure.toNanos();
      List<Counts> counts = new ArrayList<>();
      List<OpenLoopSchedule> schedules = new ArrayList<>();
      for (Flow f : flows) {
        // a bounded pool per flow, as a real client has: all flows together stay well under the gateway's
        // max_connections (1,024 per port), past which it closes new connections at once
        counts.add(new Counts(vertx, f, port, OPEN_LOOP_CONNECTIONS));
        schedules.add(new OpenLoopSchedule(start, f.rate()));
      }
      long[] timer = new long[1];
      Runnable finish = () -> {
        vertx.cancelTimer(timer[0]);
        done.tryComplete(counts.stream().map(c -> c.result(measure.toNanos() / 1e9)).toList());
        counts.forEach(Counts::close);
      };
      timer[0] = vertx.setPeriodic(1, t -> {
        long now = System.nanoTime();
        for (int i = 0; i < counts.size(); i++) {
          Counts c = counts.get(i);
          OpenLoopSchedule s = schedules.get(i);
          while (s.due(now) && s.intendedStart(s.taken()) < to) {
            long due = s.take();
            boolean counted = due >= from;
            if (counted) {
              c.sent++;
            }
            if (c.outstanding >= MAX_OUTSTANDING) {
              if (counted) {
                c.other++;
              }
              continue;
            }
            c.send().onComplete(ar -> {
              if (counted) {
                c.record(due, ar.succeeded() ? ar.result() : -1, System.nanoTime());
              }
            });
          }
        }
        if (now >= to && counts.stream().allMatch(c -> c.outstanding == 0)) {
          finish.run();
        }
      });
      vertx.setTimer(TimeUnit.NANOSECONDS.toMillis(to - start) + DRAIN_MILLIS, t -> finish.run());
    });
    return done.future().await();
  }

  /**
   * {@code concurrency} requests of one flow in flight, each answer sending the next, for {@code warmUp + measure};
   * counts what answers inside the measured window (its 200s per second: the model's capacity for this request).
   */
  FlowResult closedLoop(Flow flow, int concurrency, Duration warmUp, Duration measure) {
    Promise<FlowResult> done = Promise.promise();
    context.runOnContext(v -> {
      Counts c = new Counts(vertx, flow, port, concurrency);
      long from = System.nanoTime() + warmUp.toNanos();
      long to = from + measure.toNanos();
      Runnable[] next = new Runnable[1];
      next[0] = () -> {
        long sent = System.nanoTime();
        if (sent >= to) {
          if (c.outstanding == 0) {
            done.tryComplete(c.result(measure.toNanos() / 1e9));
            c.close();
          }
          return;
        }
        c.send().onComplete(ar -> {
          long now = System.nanoTime();
          if (now >= from && now < to) {
            c.sent++;
            c.record(sent, ar.succeeded() ? ar.result() : -1, now);
          }
          next[0].run();
        });
      };
      for (int i = 0; i < concurrency; i++) {
        next[0].run();
      }
    });
    return done.future().await();
  }

  /** {@code count} requests of one flow sent at once; each latency from its own send; waits for every answer. */
  FlowResult burst(Flow flow, int count) {
    Promise<FlowResult> done = Promise.promise();
    context.runOnContext(v -> {
      Counts c = new Counts(vertx, flow, port, count);
      long start = System.nanoTime();
      int[] answered = new int[1];
      for (int i = 0; i < count; i++) {
        long sent = System.nanoTime();
        c.sent++;
        c.send().onComplete(ar -> {
          c.record(sent, ar.succeeded() ? ar.result() : -1, System.nanoTime());
          if (++answered[0] == count) {
            done.tryComplete(c.result((System.nanoTime() - start) / 1e9));
            c.close();
          }
        });
      }
    });
    return done.future().await();
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
