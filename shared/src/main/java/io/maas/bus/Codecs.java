package io.maas.bus;

import io.maas.inference.InferenceRequest;
import io.maas.inference.InferenceResponse;
import io.vertx.core.eventbus.EventBus;

/** Registers the maas message codecs; call once per Vert.x instance, before any verticle is deployed. */
public final class Codecs {
  private Codecs() {}

  public static void register(EventBus bus) {
    bus.registerDefaultCodec(InferenceRequest.class, new InferenceRequestCodec());
    bus.registerDefaultCodec(InferenceResponse.class, new InferenceResponseCodec());
  }
}
