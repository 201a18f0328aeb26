package io.maas.gateway.http;

import io.maas.gateway.edge.EdgeLimits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * Every datatype's limits, as JSON {@code data} reaches the two readers: the streaming KServe V2 one and the
 * JSON-tree one behind TF Serving, the simple predict call and embeddings. The extreme values are taken; one past
 * them, and a number past every range ({@code 1e400}, which a parser reads as infinity), is a 400 that names the
 * input. JSON has no NaN or infinity literals: {@code NaN} is malformed JSON.
 */
class NumberRangesTest {
  private static final long LIMIT = 1_000;

  /** A datatype, values it takes, and values one past its range. */
  private record Limits(DataType type, List<String> taken, List<String> refused) {}

  private static final List<Limits> LIMITS = List.of(
      new Limits(DataType.BOOL, List.of("true", "false"), List.of("1", "0", "2", "1e400")),
      new Limits(DataType.UINT8, List.of("0", "255", "255.0"), List.of("-1", "256", "1e400", "-1e400")),
      new Limits(DataType.UINT16, List.of("0", "65535"), List.of("-1", "65536", "1e400")),
      new Limits(DataType.UINT32, List.of("0", "4294967295"), List.of("-1", "4294967296", "1e400")),
      new Limits(DataType.UINT64, List.of("0", "18446744073709551615"),
          List.of("-1", "18446744073709551616", "1e20", "1e400")),
      new Limits(DataType.INT8, List.of("-128", "127"), List.of("-129", "128", "1e400", "-1e400")),
      new Limits(DataType.INT16, List.of("-32768", "32767"), List.of("-32769", "32768", "1e400")),
      new Limits(DataType.INT32, List.of("-2147483648", "2147483647"), List.of("-2147483649", "2147483648", "1e400")),
      new Limits(DataType.INT64, List.of("-9223372036854775808", "9223372036854775807"),
          List.of("-9223372036854775809", "9223372036854775808", "1e19", "1e400", "-1e400")),
      new Limits(DataType.FP16, List.of("65504", "-65504", "1e-30"), List.of("65520", "-65520", "1e400", "-1e400")),
      new Limits(DataType.FP32, List.of("3.4028235E38", "-3.4028235E38", "1e-400"),
          List.of("1e39", "-1e39", "1e400", "-1e400")),
      new Limits(DataType.FP64, List.of("1.7976931348623157E308", "-1.7976931348623157E308", "1e-400"),
          List.of("1e309", "1e400", "-1e400")));

  private static Tensor streamed(DataType type, String value) {
    String body = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"" + type + "\",\"shape\":[2],\"data\":[" + value
        + "," + value + "]}]}";
    return V2Json.decodeRequest("m", "1", Buffer.buffer(body), null, new EdgeLimits(LIMIT, 8))
        .request().inputs().get(0);
  }

  private static Tensor nested(DataType type, String value) {
    return JsonTensors.fromNested("x", type, new JsonArray("[" + value + "," + value + "]"), LIMIT);
  }

  /** The two readers of JSON data, named for the messages. */
  private record Reader(String name, BiFunction<DataType, String, Tensor> read) {}

  private static final List<Reader> READERS = List.of(
      new Reader("KServe V2 (streamed)", NumberRangesTest::streamed),
      new Reader("nested JSON (TF Serving, predict)", NumberRangesTest::nested));

  @Test
  void theExtremesOfEveryDatatypeAreTaken() {
    for (Limits l : LIMITS) {
      for (String value : l.taken()) {
        for (Reader r : READERS) {
          Tensor t = r.read().apply(l.type(), value);
          assertEquals(2L * l.type().elementSize(), t.data().length, r.name() + ": " + l.type() + " " + value);
        }
      }
    }
  }

  @Test
  void oneValuePastEveryDatatypesRangeIsABadRequestNamingTheInput() {
    for (Limits l : LIMITS) {
      for (String value : l.refused()) {
        for (Reader r : READERS) {
          String what = r.name() + ": " + l.type() + " " + value;
          MaasException e = assertThrows(MaasException.class, () -> r.read().apply(l.type(), value), what);
          assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), what);
          assertTrue(e.getMessage().startsWith("input 'x': value"), what + ": " + e.getMessage());
          assertTrue(e.getMessage().contains("at index 0"), what + ": " + e.getMessage());
          assertTrue(e.getMessage().contains(l.type().name()), what + ": " + e.getMessage());
        }
      }
    }
  }

  @Test
  void aFloatPastEveryRangeIsRefusedNotStoredAsInfinity() {
    for (DataType type : List.of(DataType.FP16, DataType.FP32, DataType.FP64)) {
      MaasException e = assertThrows(MaasException.class, () -> streamed(type, "1e400"));
      assertEquals("input 'x': value Infinity at index 0 is out of range for " + type, e.getMessage());
    }
  }

  @Test
  void nanAndInfinityLiteralsAreMalformedJson() {
    for (String literal : List.of("NaN", "Infinity", "-Infinity")) {
      MaasException e = assertThrows(MaasException.class, () -> streamed(DataType.FP32, literal));
      assertTrue(e.getMessage().startsWith("malformed JSON"), literal + ": " + e.getMessage());
    }
  }
}
