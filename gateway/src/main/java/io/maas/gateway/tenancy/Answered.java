package io.maas.gateway.tenancy;

import io.maas.inference.InferenceResponse;

/**
 * What {@link Admission#meter} reads of an answered call: its response (for {@code prompt_tokens}) and how long it
 * waited in its worker's queue. The pipeline's {@code Served} is one; tenancy names only this, so that it needs
 * nothing of the pipeline that calls it.
 */
public interface Answered {
  InferenceResponse response();

  long queueWaitMicros();
}
