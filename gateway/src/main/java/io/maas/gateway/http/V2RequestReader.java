package io.maas.gateway.http;

import io.maas.gateway.edge.EdgeLimits;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.maas.error.MaasException;
import io.maas.inference.InferenceRequest;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a KServe V2 infer request body in one streaming pass: each input's {@code data} goes straight
 * from the JSON text into its tensor's little-endian bytes. The small parts (names, shapes, parameters,
 * outputs) are read as plain JSON values. The keys of an input may come in any order: data that comes
 * before its input's datatype or shape is skipped and read again, from where it starts, once they are
 * known.
 *
 * <p>When a body has several faults, the first one met in the text is the one reported.
 */
final class V2RequestReader {
  /**
   * Jackson's defaults (as Vert.x uses them), plus a 400 for a key given twice in one object, and the
   * fast double parser, which reads a float's text where it lies (the default one makes a String of each
   * value first) and rounds it exactly as Double.parseDouble does.
   */
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
      .build();

  private final EdgeLimits limits;
  private final byte[] text;
  private final int start;
  private final int length;

  private V2RequestReader(EdgeLimits limits, byte[] text, int start, int length) {
    this.limits = limits;
    this.text = text;
    this.start = start;
    this.length = length;
  }

  /** What one entry of {@code inputs} says, in whatever order its keys came. */
  private static final class Input {
    final int index;
    Object name;
    Object datatype;
    Object shape;
    Object parameters;
    boolean hasName;
    boolean hasDatatype;
    boolean hasShape;
    boolean hasParameters;
    boolean hasData;
    /** Where a data value that came before the datatype or shape starts in the text, or -1. */
    int deferredData = -1;
    Tensor tensor;
    long binarySize = -1;
    String checkedName;
    DataType checkedType;
    long[] checkedShape;

    Input(int index) {
      this.index = index;
    }
  }

  static V2Json.Decoded read(String model, String version, Buffer body, String headerLength, EdgeLimits limits) {
    BinaryTensorData parts = BinaryTensorData.split(body, headerLength);
    Buffer json = parts.jsonPart();
    if (json.length() == 0) {
      throw parts.explain(MaasException.invalid("the request body is empty; a JSON object is expected"));
    }
    ByteBuf buf = ((BufferInternal) json).getByteBuf();
    V2RequestReader reader = buf.hasArray()
        ? new V2RequestReader(limits, buf.array(), buf.arrayOffset() + buf.readerIndex(), buf.readableBytes())
        : new V2RequestReader(limits, json.getBytes(), 0, json.length());
    Map<String, Object> top = new HashMap<>();
    List<Input> inputs;
    try (JsonParser p = JSON.createParser(reader.text, reader.start, reader.length)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw parts.explain(MaasException.invalid("malformed JSON: the body holds no JSON value"));
      }
      if (first != JsonToken.START_OBJECT) {
        throw parts.explain(MaasException.invalid("the request body must be a JSON object"));
      }
      inputs = reader.readTop(p, top);
      if (p.nextToken() != null) {
        throw parts.explain(MaasException.invalid("malformed JSON: content after the request's JSON object"));
      }
    } catch (IOException e) {
      throw parts.explain(MaasException.invalid("malformed JSON: %s", firstLine(e.getMessage())));
    }
    return reader.finish(model, version, top, inputs, parts);
  }

  /** The top-level object: inputs streamed, every other key kept as a plain value. */
  private List<Input> readTop(JsonParser p, Map<String, Object> top) throws IOException {
    List<Input> inputs = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken t = p.nextToken();
      if (key.equals("inputs") && t == JsonToken.START_ARRAY) {
        inputs = readInputs(p);
      } else {
        top.put(key, value(p, t));
      }
    }
    if (inputs == null) {
      throw MaasException.invalid("'%s' must be an array", "inputs");
    }
    return inputs;
  }

  private List<Input> readInputs(JsonParser p) throws IOException {
    List<Input> inputs = new ArrayList<>();
    int count = 0;
    int notAnObject = -1;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (count >= limits.maxTensors() || t != JsonToken.START_OBJECT || notAnObject >= 0) {
        // counted to name the total; the limit is checked before what the entries hold
        notAnObject = notAnObject < 0 && t != JsonToken.START_OBJECT ? count : notAnObject;
        p.skipChildren();
      } else {
        inputs.add(readInput(p, count));
      }
      count++;
    }
    if (count > limits.maxTensors()) {
      throw MaasException.invalid("%d inputs is over the limit of %d", count, limits.maxTensors());
    }
    if (notAnObject >= 0) {
      throw MaasException.invalid("inputs[%d] is not an object", notAnObject);
    }
    return inputs;
  }

  private Input readInput(JsonParser p, int index) throws IOException {
    Input in = new Input(index);
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken t = p.nextToken();
      switch (key) {
        case "name" -> {
          in.name = value(p, t);
          in.hasName = true;
        }
        case "datatype" -> {
          in.datatype = value(p, t);
          in.hasDatatype = true;
        }
        case "shape" -> {
          in.shape = value(p, t);
          in.hasShape = true;
        }
        case "parameters" -> {
          in.parameters = value(p, t);
          in.hasParameters = true;
        }
        case "data" -> {
          in.hasData = true;
          if (in.hasName && in.hasDatatype && in.hasShape) {
            checkHeader(in);
            checkBinary(in);
            in.tensor = StreamedTensorData.read(p, in.checkedName, in.checkedType, in.checkedShape,
                limits.maxTensorElements(), length);
          } else {
            in.deferredData = (int) p.currentTokenLocation().getByteOffset();
            p.skipChildren();
          }
        }
        default -> p.skipChildren();
      }
    }
    checkHeader(in);
    checkBinary(in);
    if (in.deferredData >= 0) {
      try (JsonParser again = JSON.createParser(text, start + in.deferredData, length - in.deferredData)) {
        again.nextToken();
        in.tensor = StreamedTensorData.read(again, in.checkedName, in.checkedType, in.checkedShape,
            limits.maxTensorElements(), length);
      }
    }
    return in;
  }

  /** Checks an input's name, datatype and shape, in that order (once). */
  private static void checkHeader(Input in) {
    if (in.checkedName != null) {
      return;
    }
    if (!(in.name instanceof String name) || name.isEmpty()) {
      throw MaasException.invalid("inputs[%d] has no 'name'", in.index);
    }
    if (!(in.datatype instanceof String datatype)) {
      throw MaasException.invalid("input '%s' has no 'datatype'", name);
    }
    DataType type;
    try {
      type = DataType.parse(datatype);
    } catch (MaasException e) {
      throw MaasException.invalid("input '%s': %s", name, e.getMessage());
    }
    if (!(in.shape instanceof JsonArray shapeJson)) {
      throw MaasException.invalid("input '%s' has no 'shape' array", name);
    }
    if (shapeJson.size() > JsonTensors.MAX_RANK) {
      throw MaasException.invalid("input '%s': a rank of %d is over the limit of %d",
          name, shapeJson.size(), JsonTensors.MAX_RANK);
    }
    long[] shape = new long[shapeJson.size()];
    for (int d = 0; d < shape.length; d++) {
      Object v = shapeJson.getValue(d);
      if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < 0) {
        throw MaasException.invalid("input '%s': shape %s must hold non-negative integers", name, shapeJson.encode());
      }
      shape[d] = ((Number) v).longValue();
    }
    in.checkedName = name;
    in.checkedType = type;
    in.checkedShape = shape;
  }

  /** Reads the binary data size its parameters declare (so far), which excludes 'data'. */
  private static void checkBinary(Input in) {
    in.binarySize = in.hasParameters
        ? BinaryTensorData.declaredSize(object(in.parameters, "parameters"), in.checkedName) : -1;
    if (in.binarySize >= 0 && in.hasData) {
      throw both(in.checkedName);
    }
  }

  private static MaasException both(String name) {
    return MaasException.invalid("input '%s' has both 'data' and parameters.%s: send one or the other",
        name, BinaryTensorData.SIZE);
  }

  /** Reads the binary inputs' bytes and the small parts, once the JSON has been read. */
  private V2Json.Decoded finish(String model, String version, Map<String, Object> top, List<Input> inputs,
      BinaryTensorData parts) {
    long declared = 0;
    for (Input in : inputs) {
      long size = in.binarySize;
      declared = size < 0 ? declared : declared > Long.MAX_VALUE - size ? Long.MAX_VALUE : declared + size;
    }
    parts.checkDeclaredTotal(declared);
    List<Tensor> tensors = new ArrayList<>(inputs.size());
    for (Input in : inputs) {
      if (in.binarySize >= 0) {
        tensors.add(parts.read(in.checkedName, in.checkedType, in.checkedShape, in.binarySize,
            limits.maxTensorElements()));
      } else if (!in.hasData) {
        throw MaasException.invalid("input '%s' has no 'data' (nor parameters.%s)", in.checkedName,
            BinaryTensorData.SIZE);
      } else {
        tensors.add(in.tensor);
      }
    }
    List<String> outputs = new ArrayList<>();
    Map<String, Boolean> binaryPerOutput = new HashMap<>();
    Object requestedValue = top.get("outputs");
    if (requestedValue != null) {
      if (!(requestedValue instanceof JsonArray requested)) {
        throw MaasException.invalid("'%s' must be an array", "outputs");
      }
      if (requested.size() > limits.maxTensors()) {
        throw MaasException.invalid("%d outputs is over the limit of %d", requested.size(), limits.maxTensors());
      }
      for (int i = 0; i < requested.size(); i++) {
        if (!(requested.getValue(i) instanceof JsonObject o) || !(o.getValue("name") instanceof String name)) {
          throw MaasException.invalid("outputs[%d] must be an object with a string 'name'", i);
        }
        outputs.add(name);
        Object flag = object(o.getValue("parameters"), "parameters").getValue(BinaryTensorData.OUTPUT_FLAG);
        if (flag != null) {
          binaryPerOutput.put(name, bool(flag, "output '" + name + "': parameters." + BinaryTensorData.OUTPUT_FLAG));
        }
      }
    }
    Object id = top.get("id");
    if (id != null && !(id instanceof String)) {
      throw MaasException.invalid("'id' must be a string");
    }
    JsonObject parameters = object(top.get("parameters"), "parameters");
    Object all = parameters.getValue(BinaryTensorData.ALL_OUTPUTS_FLAG);
    boolean binaryByDefault = all != null && bool(all, "parameters." + BinaryTensorData.ALL_OUTPUTS_FLAG);
    return new V2Json.Decoded(new InferenceRequest(model, version, (String) id, tensors, outputs, parameters),
        new V2Json.BinaryOutputs(binaryByDefault, Map.copyOf(binaryPerOutput)));
  }

  private static boolean bool(Object v, String what) {
    if (!(v instanceof Boolean b)) {
      throw MaasException.invalid("%s must be true or false, got %s", what, v);
    }
    return b;
  }

  private static JsonObject object(Object v, String key) {
    if (v == null) {
      return new JsonObject();
    }
    if (!(v instanceof JsonObject o)) {
      throw MaasException.invalid("'%s' must be an object", key);
    }
    return o;
  }

  /** A small JSON value as Vert.x reads it (JsonObject, JsonArray, String, Number, Boolean or null). */
  private static Object value(JsonParser p, JsonToken t) throws IOException {
    switch (t) {
      case START_OBJECT -> {
        JsonObject o = new JsonObject();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          o.put(key, value(p, p.nextToken()));
        }
        return o;
      }
      case START_ARRAY -> {
        JsonArray a = new JsonArray();
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
          a.add(value(p, e));
        }
        return a;
      }
      case VALUE_STRING -> {
        return p.getText();
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        return p.getNumberValue();
      }
      case VALUE_TRUE -> {
        return Boolean.TRUE;
      }
      case VALUE_FALSE -> {
        return Boolean.FALSE;
      }
      default -> {
        return null;
      }
    }
  }

  private static String firstLine(String s) {
    int nl = s == null ? -1 : s.indexOf('\n');
    return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
  }
}
