package io.maas.bus;

import io.maas.inference.InferenceRequest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/** Carries an {@link InferenceRequest} over the event bus; in-JVM delivery passes the immutable record as is. */
public final class InferenceRequestCodec implements MessageCodec<InferenceRequest, InferenceRequest> {

  @Override
  public void encodeToWire(Buffer buffer, InferenceRequest r) {
    WireFormat.writeString(buffer, r.model());
    WireFormat.writeString(buffer, r.version());
    WireFormat.writeString(buffer, r.id());
    WireFormat.writeTensors(buffer, r.inputs());
    WireFormat.writeStrings(buffer, r.outputs());
    WireFormat.writeJson(buffer, r.parameters());
  }

  @Override
  public InferenceRequest decodeFromWire(int pos, Buffer buffer) {
    WireFormat.Reader in = new WireFormat.Reader(buffer, pos);
    return new InferenceRequest(
        in.readString(), in.readString(), in.readString(), in.readTensors(), in.readStrings(), in.readJson());
  }

  @Override
  public InferenceRequest transform(InferenceRequest r) {
    return r;
  }

  @Override
  public String name() {
    return "maas.InferenceRequest";
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
