package io.maas.gateway.http;

import io.maas.gateway.edge.EdgeLimits;
import io.maas.gateway.edge.ModelQueries;
import io.maas.gateway.edge.ServerInfo;
import io.maas.error.MaasException;
import io.maas.gateway.edge.ClientGone;
import io.maas.gateway.pipeline.InferencePipeline;
import io.maas.gateway.repository.RepositoryIndex;
import io.maas.gateway.routing.WorkerEndpoint;
import io.maas.gateway.routing.WorkerRegistry;
import io.maas.inference.InferenceRequest;
import io.maas.model.ModelStatus;
import io.maas.model.TensorSpec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * The KServe V2 (Open Inference Protocol) REST endpoints, plus Triton's model configuration and
 * repository index. Wherever a path names a version ({@code /v2/models/{m}/versions/{v}}) it may name it by a
 * version label of the model's policy (e.g. {@code canary}).
 */
public final class V2Routes implements RestRoutes {
  /** Response header naming the worker that served an infer request (for operators and cluster tests). */
  public static final String WORKER_HEADER = "X-Maas-Worker";
  private static final String MODEL = "/v2/models/:model";
  private static final String VERSION = "/v2/models/:model/versions/:version";

  private final WorkerRegistry registry;
  private final ModelQueries models;
  private final InferencePipeline pipeline;
  private final EdgeLimits limits;
  private final RequestBodies bodies;

  public V2Routes(WorkerRegistry registry, InferencePipeline pipeline, EdgeLimits limits, RequestBodies bodies) {
    this.registry = registry;
    this.models = new ModelQueries(registry);
    this.pipeline = pipeline;
    this.limits = limits;
    this.bodies = bodies;
  }

  @Override
  public void mount(Router router) {
    router.get("/v2/health/live").handler(ctx -> json(ctx, 200, new JsonObject().put("live", true)));
    router.get("/v2/health/ready").handler(this::serverReady);
    router.get("/v2").handler(this::serverMetadata);
    router.post("/v2/repository/index").handler(bodies.reader()).handler(this::repositoryIndex);
    for (String base : List.of(MODEL, VERSION)) {
      router.get(base).handler(this::modelMetadata);
      router.get(base + "/ready").handler(this::modelReady);
      router.get(base + "/config").handler(this::modelConfig);
      router.post(base + "/infer")
          .handler(bodies.reader())
          .handler(this::infer);
    }
  }

  private void serverReady(RoutingContext ctx) {
    boolean ready = registry.isReady();
    json(ctx, ready ? 200 : 503, new JsonObject().put("ready", ready));
  }

  private void serverMetadata(RoutingContext ctx) {
    ServerInfo info = ServerInfo.REST;
    json(ctx, 200, new JsonObject()
        .put("name", info.name())
        .put("version", info.version())
        .put("extensions", new JsonArray(info.extensions())));
  }

  /** Every model version and its state; the optional body {@code {"ready": true}} keeps the ready ones only. */
  private void repositoryIndex(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    Object ready = body == null || body.length() == 0 ? null : V2Json.parseObject(body).getValue("ready");
    if (ready != null && !(ready instanceof Boolean)) {
      throw MaasException.invalid("'ready' must be true or false");
    }
    JsonArray index = new JsonArray();
    for (RepositoryIndex.Entry e : RepositoryIndex.of(registry, Boolean.TRUE.equals(ready))) {
      JsonObject entry = new JsonObject().put("name", e.name()).put("state", e.state());
      if (!e.version().isEmpty()) {
        entry.put("version", e.version());
      }
      if (!e.reason().isEmpty()) {
        entry.put("reason", e.reason());
      }
      entry.put("workers", workerStates(e.name(), e.version()));
      index.add(entry);
    }
    ctx.response().putHeader("Content-Type", "application/json").end(index.encode());
  }

  /** Each worker's state of one model version, with its reason: where a load failed, and why. */
  private JsonArray workerStates(String model, String version) {
    JsonArray out = new JsonArray();
    registry.workers().stream().sorted(java.util.Comparator.comparing(WorkerEndpoint::workerId)).forEach(w ->
        w.announcement().models().stream().filter(m -> m.name().equals(model) && m.version().equals(version))
            .forEach(m -> {
              JsonObject state = new JsonObject().put("worker_id", w.workerId()).put("state", m.state().name());
              if (!m.reason().isEmpty()) {
                state.put("reason", m.reason());
              }
              // what it costs and how it is used there (placement's inputs, docs/placement.md)
              w.announcement().resources().versions().stream()
                  .filter(u -> u.model().equals(model) && u.version().equals(version)).findFirst()
                  .ifPresent(u -> state.put("footprint_bytes", u.footprintBytes()).put("in_flight", u.inFlight())
                      .put("last_used_ms", u.lastUsedMillis()));
              out.add(state);
            }));
    return out;
  }

  private void modelMetadata(RoutingContext ctx) {
    ModelQueries.Metadata metadata = models.metadata(ctx.pathParam("model"), version(ctx));
    ModelStatus s = metadata.served();
    json(ctx, 200, new JsonObject()
        .put("name", s.name())
        .put("versions", new JsonArray(metadata.readyVersions()))
        .put("platform", s.platform())
        .put("inputs", specs(s.inputs()))
        .put("outputs", specs(s.outputs())));
  }

  private void modelReady(RoutingContext ctx) {
    ModelQueries.Readiness r = models.ready(ctx.pathParam("model"), version(ctx));
    JsonObject body = new JsonObject().put("name", r.model()).put("ready", r.ready());
    if (!r.version().isEmpty()) {
      body.put("version", r.version());
    }
    if (!r.ready()) {
      body.put("reason", r.reason());
    }
    json(ctx, r.ready() ? 200 : 503, body);
  }

  /**
   * Triton's model configuration extension: the configuration as served, with what was auto-completed, and the
   * model's effective replicas, traffic weights and version labels.
   */
  private void modelConfig(RoutingContext ctx) {
    json(ctx, 200, models.configuration(ctx.pathParam("model"), version(ctx)));
  }

  private void infer(RoutingContext ctx) {
    String requestId = RestRequests.requestId(ctx);
    // an unknown model or version is a 404 whatever the body holds; one not ready is the pipeline's (placed: loaded)
    pipeline.checkKnown(ctx.pathParam("model"), version(ctx));
    V2Json.Decoded decoded = V2Json.decodeRequest(ctx.pathParam("model"), version(ctx), ctx.body().buffer(),
        ctx.request().getHeader(BinaryTensorData.HEADER_LENGTH), limits);
    pipeline.inferServed(decoded.request(), requestId, RestAuth.caller(ctx), ClientGone.of(ctx))
        .map(served -> {
          ctx.response().putHeader(WORKER_HEADER, served.workerId());
          return V2Json.encodeResponse(served.response(), decoded.binaryOutputs());
        })
        .onSuccess(encoded -> reply(ctx, encoded))
        .onFailure(ctx::fail);
  }

  private static void reply(RoutingContext ctx, V2Json.Encoded encoded) {
    if (!encoded.isBinary()) {
      ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(encoded.body());
      return;
    }
    ctx.response().setStatusCode(200)
        .putHeader("Content-Type", BinaryTensorData.CONTENT_TYPE)
        .putHeader(BinaryTensorData.HEADER_LENGTH, Integer.toString(encoded.headerLength()))
        .end(encoded.body());
  }

  private static String version(RoutingContext ctx) {
    return RestRequests.versionOrLabel(ctx);
  }

  private static JsonArray specs(List<TensorSpec> specs) {
    JsonArray a = new JsonArray();
    specs.forEach(s -> a.add(s.toJson()));
    return a;
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toBuffer());
  }
}
