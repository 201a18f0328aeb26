package io.maas.gateway.pipeline;

import io.maas.gateway.tenancy.Answered;
import io.maas.inference.InferenceResponse;

/**
 * A response and the worker that computed it (edges expose it, e.g. REST's {@code X-Maas-Worker}); admission
 * meters it as an {@link Answered}.
 *
 * @param response the inference response
 * @param workerId the id of the worker verticle that served it
 * @param queueWaitMicros how long it waited in the worker's queue before it ran (0 when not told)
 */
public record Served(InferenceResponse response, String workerId, long queueWaitMicros) implements Answered {}
