package io.maas.gateway.http.openai;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.gateway.http.RequestBodies;
import io.maas.gateway.http.RestAuth;
import io.maas.gateway.http.RestRequests;
import io.maas.gateway.http.RestRoutes;
import io.maas.gateway.edge.ClientGone;
import io.maas.gateway.pipeline.InferencePipeline;
import io.maas.gateway.routing.WorkerRegistry;
import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.maas.model.ModelStatus;
import io.maas.model.TensorSpec;
import io.maas.model.TextSpec;
import io.maas.tensor.BytesElements;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * OpenAI-compatible {@code POST /v1/embeddings} for text models (those with a text section): the texts
 * go to the model's BYTES text input, through the same pipeline as every other request, in chunks of
 * the most texts one model request may hold; the vectors come from its pooled output. The API key is checked as
 * on every route but health ({@code RestAuth}): {@code Authorization: Bearer}, as OpenAI's SDKs send it, or
 * {@code X-API-Key}.
 */
public final class EmbeddingsRoutes implements RestRoutes {
  public static final String PATH = "/v1/embeddings";

  private final WorkerRegistry registry;
  private final InferencePipeline pipeline;
  private final RequestBodies bodies;

  public EmbeddingsRoutes(WorkerRegistry registry, InferencePipeline pipeline, RequestBodies bodies) {
    this.registry = registry;
    this.pipeline = pipeline;
    this.bodies = bodies;
  }

  @Override
  public void mount(Router router) {
    router.post(PATH).handler(bodies.reader()).handler(this::embeddings);
    router.route(PATH).handler(ctx -> ctx.fail(new MaasException(ErrorCode.METHOD_NOT_ALLOWED,
        "method " + ctx.request().method() + " is not allowed on " + PATH + "; use POST")));
  }

  private void embeddings(RoutingContext ctx) {
    String requestId = RestRequests.requestId(ctx);
    EmbeddingsRequest request = EmbeddingsRequest.parse(ctx.body().buffer());
    // placed mode: a model loaded nowhere is loaded first (its text section is known once it is READY)
    Future<Void> gone = ClientGone.of(ctx);
    pipeline.model(request.model(), "")
        .compose(model -> embed(ctx, requestId, request, model, gone))
        .onSuccess(body -> ctx.response().putHeader("Content-Type", "application/json").end(body.toBuffer()))
        .onFailure(ctx::fail);
  }

  private Future<JsonObject> embed(RoutingContext ctx, String requestId, EmbeddingsRequest request, ModelStatus model,
      Future<Void> gone) {
    TextSpec text = model.text();
    if (text == null) {
      throw MaasException.invalid("model '%s' takes no text: its configuration has no text section", model.name());
    }
    long dims = model.outputs().stream().filter(o -> o.name().equals(text.output())).findFirst()
        .map(TensorSpec::shape).map(s -> s[s.length - 1]).orElse(-1L);
    if (request.dimensions() != null && dims > 0 && request.dimensions() != dims) {
      throw MaasException.invalid("model '%s' gives %d dimensions, not %d", model.name(), dims, request.dimensions());
    }
    checkSizes(model.name(), text, request.inputs());
    List<Future<InferenceResponse>> chunks = new ArrayList<>();
    for (int from = 0; from < request.inputs().size(); from += text.maxTexts()) {
      List<String> chunk = request.inputs().subList(from, Math.min(request.inputs().size(), from + text.maxTexts()));
      // every chunk is cancelled when the client goes away
      chunks.add(pipeline.infer(modelRequest(model, text, chunk), requestId, RestAuth.caller(ctx), gone));
    }
    return Future.all(chunks)
        .map(all -> response(model.name(), text, request, chunks.stream().map(Future::result).toList()));
  }

  private static void checkSizes(String model, TextSpec text, List<String> inputs) {
    for (int i = 0; i < inputs.size(); i++) {
      int bytes = inputs.get(i).getBytes(StandardCharsets.UTF_8).length;
      if (bytes > text.maxTextBytes()) {
        throw MaasException.invalid("'input[%d]' has %d bytes, over the limit of %d for model '%s'", i, bytes,
            text.maxTextBytes(), model);
      }
    }
  }

  private static InferenceRequest modelRequest(ModelStatus model, TextSpec text, List<String> chunk) {
    Tensor input = new Tensor(text.input(), DataType.BYTES, new long[] {chunk.size()},
        BytesElements.encodeStrings(chunk));
    return new InferenceRequest(model.name(), model.version(), "", List.of(input), List.of(text.output()), null);
  }

  private static JsonObject response(String model, TextSpec text, EmbeddingsRequest request,
      List<InferenceResponse> responses) {
    JsonArray data = new JsonArray();
    long tokens = 0;
    for (InferenceResponse r : responses) {
      Tensor vectors = r.outputs().stream().filter(t -> t.name().equals(text.output())).findFirst()
          .orElseThrow(() -> new MaasException(ErrorCode.INTERNAL, "the model's answer has no '" + text.output() + "'"));
      if (vectors.datatype() != DataType.FP32 || vectors.shape().length != 2) {
        throw new MaasException(ErrorCode.INTERNAL, "output '" + text.output() + "' is not FP32 [texts, dims]: " + vectors);
      }
      int dims = (int) vectors.shape()[1];
      if (request.dimensions() != null && request.dimensions() != dims) {
        throw MaasException.invalid("model '%s' gives %d dimensions, not %d", model, dims, request.dimensions());
      }
      for (int row = 0; row < vectors.shape()[0]; row++) {
        byte[] bytes = Arrays.copyOfRange(vectors.data(), row * dims * 4, (row + 1) * dims * 4);
        data.add(new JsonObject()
            .put("object", "embedding")
            .put("index", data.size())
            .put("embedding", request.base64() ? Base64.getEncoder().encodeToString(bytes) : floats(bytes)));
      }
      tokens += r.parameters().getLong("prompt_tokens", 0L);
    }
    return new JsonObject()
        .put("object", "list")
        .put("data", data)
        .put("model", model)
        .put("usage", new JsonObject().put("prompt_tokens", tokens).put("total_tokens", tokens));
  }

  private static JsonArray floats(byte[] littleEndian) {
    ByteBuffer b = ByteBuffer.wrap(littleEndian).order(ByteOrder.LITTLE_ENDIAN);
    JsonArray a = new JsonArray();
    while (b.hasRemaining()) {
      a.add(b.getFloat());
    }
    return a;
  }
}
