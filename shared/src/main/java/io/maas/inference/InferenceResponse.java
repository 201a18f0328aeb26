package io.maas.inference;

import io.maas.tensor.Tensor;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The answer to an {@link InferenceRequest}.
 *
 * @param model the model name
 * @param version the version that served the request
 * @param id the request id, echoed
 * @param outputs the output tensors, in the model's output order
 * @param parameters response parameters (never null)
 */
public record InferenceResponse(
    String model, String version, String id, List<Tensor> outputs, JsonObject parameters) {

  public InferenceResponse {
    id = id == null ? "" : id;
    outputs = List.copyOf(outputs);
    parameters = parameters == null ? new JsonObject() : parameters;
  }
}
