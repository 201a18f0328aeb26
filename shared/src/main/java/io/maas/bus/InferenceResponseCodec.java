package io.maas.bus;

import io.maas.inference.InferenceResponse;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/** Carries an {@link InferenceResponse} over the event bus; in-JVM delivery passes the immutable record as is. */
public final class InferenceResponseCodec implements MessageCodec<InferenceResponse, InferenceResponse> {

  @Override
  public void encodeToWire(Buffer buffer, InferenceResponse r) {
    WireFormat.writeString(buffer, r.model());
    WireFormat.writeString(buffer, r.version());
    WireFormat.writeString(buffer, r.id());
    WireFormat.writeTensors(buffer, r.outputs());
    WireFormat.writeJson(buffer, r.parameters());
  }

  @Override
  public InferenceResponse decodeFromWire(int pos, Buffer buffer) {
    WireFormat.Reader in = new WireFormat.Reader(buffer, pos);
    return new InferenceResponse(in.readString(), in.readString(), in.readString(), in.readTensors(), in.readJson());
  }

  @Override
  public InferenceResponse transform(InferenceResponse r) {
    return r;
  }

  @Override
  public String name() {
    return "maas.InferenceResponse";
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
