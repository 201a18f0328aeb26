package io.maas.inference;

import io.maas.tensor.Tensor;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One inference request as the pipeline and the workers see it, whatever edge it came from.
 *
 * @param model the model name
 * @param version the requested version, or "" for the version policy's choice
 * @param id the client's request id, echoed in the response ("" if none)
 * @param inputs the input tensors
 * @param outputs the names of the outputs wanted; empty for all of them
 * @param parameters the request's KServe parameters (never null)
 */
public record InferenceRequest(
    String model, String version, String id, List<Tensor> inputs, List<String> outputs, JsonObject parameters) {

  public InferenceRequest {
    version = version == null ? "" : version;
    id = id == null ? "" : id;
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    parameters = parameters == null ? new JsonObject() : parameters;
  }

  /** The same request addressed to a concrete version. */
  public InferenceRequest withVersion(String v) {
    return new InferenceRequest(model, v, id, inputs, outputs, parameters);
  }
}
