package io.maas.gateway.pipeline;

import io.maas.inference.InferenceResponse;

/**
 * A response and the worker that computed it (edges expose it, e.g. REST's {@code X-Maas-Worker}).
 *
 * @param response the inference response
 * @param workerId the id of the worker verticle that served it
 */
public record Served(InferenceResponse response, String workerId) {}
