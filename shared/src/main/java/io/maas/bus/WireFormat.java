package io.maas.bus;

import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The compact binary layout of requests and responses between JVMs: length-prefixed UTF-8 strings
 * and, per tensor, name, datatype ordinal, rank, dimensions and the raw little-endian bytes as they
 * are. Numeric data is never re-encoded as text.
 */
final class WireFormat {
  private WireFormat() {}

  private static final DataType[] DATATYPES = DataType.values();

  /** A read position into a buffer, advanced by each read. */
  static final class Reader {
    private final Buffer buffer;
    private int pos;

    Reader(Buffer buffer, int pos) {
      this.buffer = buffer;
      this.pos = pos;
    }

    int readInt() {
      int v = buffer.getInt(pos);
      pos += 4;
      return v;
    }

    long readLong() {
      long v = buffer.getLong(pos);
      pos += 8;
      return v;
    }

    byte[] readBytes() {
      int len = readInt();
      byte[] b = buffer.getBytes(pos, pos + len);
      pos += len;
      return b;
    }

    String readString() {
      int len = readInt();
      String s = buffer.getString(pos, pos + len, "UTF-8"); // decoded in place, no intermediate byte[]
      pos += len;
      return s;
    }

    JsonObject readJson() {
      String s = readString();
      return s.isEmpty() ? new JsonObject() : new JsonObject(s);
    }

    List<String> readStrings() {
      int n = readInt();
      List<String> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        out.add(readString());
      }
      return out;
    }

    List<Tensor> readTensors() {
      int n = readInt();
      List<Tensor> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        String name = readString();
        DataType type = DATATYPES[readInt()];
        long[] shape = new long[readInt()];
        for (int d = 0; d < shape.length; d++) {
          shape[d] = readLong();
        }
        out.add(new Tensor(name, type, shape, readBytes()));
      }
      return out;
    }
  }

  static void writeBytes(Buffer b, byte[] bytes) {
    b.appendInt(bytes.length).appendBytes(bytes);
  }

  static void writeString(Buffer b, String s) {
    writeBytes(b, s.getBytes(StandardCharsets.UTF_8));
  }

  static void writeJson(Buffer b, JsonObject json) {
    writeString(b, json.isEmpty() ? "" : json.encode());
  }

  static void writeStrings(Buffer b, List<String> strings) {
    b.appendInt(strings.size());
    strings.forEach(s -> writeString(b, s));
  }

  static void writeTensors(Buffer b, List<Tensor> tensors) {
    b.appendInt(tensors.size());
    for (Tensor t : tensors) {
      writeString(b, t.name());
      b.appendInt(t.datatype().ordinal());
      b.appendInt(t.shape().length);
      for (long d : t.shape()) {
        b.appendLong(d);
      }
      writeBytes(b, t.data());
    }
  }
}
