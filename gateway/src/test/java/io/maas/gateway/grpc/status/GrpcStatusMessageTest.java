package io.maas.gateway.grpc.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The grpc-message encoding of gRPC's HTTP/2 spec: printable ASCII (0x20-0x7E) but '%' as it is, every other byte of
 * the UTF-8 as %XX; and the cut that keeps a long message within the trailer budget.
 */
class GrpcStatusMessageTest {

  @Test
  void printableAsciiIsLeftAsItIs() {
    String message = "input 'INPUT0': expected shape [-1, 16], got [1, 15] (-1 is any size) ~!\\\"#$&*+/;<=>?@^_`{|}";
    assertSame(message, GrpcStatusMessage.encode(message));
  }

  @Test
  void percentAndEveryByteOutsidePrintableAsciiAreEscapedAsUtf8() {
    assertEquals("100%25 sure", GrpcStatusMessage.encode("100% sure"));
    assertEquals("na%C3%AFve", GrpcStatusMessage.encode("naïve"));
    assertEquals("%E4%B8%AD", GrpcStatusMessage.encode("中"));
    assertEquals("%F0%9F%99%82", GrpcStatusMessage.encode("\uD83D\uDE42"));
    assertEquals("a%0Ab%09c%7F%00", GrpcStatusMessage.encode("a\nb\tc\u007F\u0000"));
    assertEquals("", GrpcStatusMessage.encode(null));
  }

  @Test
  void everyEncodingDecodesBackToItsMessage() {
    String message = "unknown model 'naïve 100% [x]: y' \uD83D\uDE42\n";
    assertEquals(message, decode(GrpcStatusMessage.encode(message)));
  }

  @Test
  void aShortMessageIsNotCut() {
    String message = "m".repeat(GrpcStatusMessage.MAX_ENCODED_BYTES);
    assertSame(message, GrpcStatusMessage.fit(message));
  }

  @Test
  void aLongMessageIsCutWithinTheBudgetAtACharacterAndSaysItsLength() {
    for (String unit : new String[] {"m", "é", "中", "\uD83D\uDE42", "%"}) {
      String message = "unknown model '" + unit.repeat(8000) + "'";
      String fitted = GrpcStatusMessage.fit(message);
      String encoded = GrpcStatusMessage.encode(fitted);
      assertTrue(encoded.length() <= GrpcStatusMessage.MAX_ENCODED_BYTES, unit + ": " + encoded.length());
      assertTrue(encoded.length() > GrpcStatusMessage.MAX_ENCODED_BYTES - 12, unit + ": the budget is used");
      assertTrue(fitted.endsWith("... (" + message.length() + " characters)"), fitted);
      assertTrue(message.startsWith(fitted.substring(0, fitted.indexOf("... ("))), "a prefix, cut at a character");
    }
  }

  /** The spec's decoding: %XX to its byte, the rest as it is, then UTF-8. */
  static String decode(String encoded) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < encoded.length(); i++) {
      char c = encoded.charAt(i);
      if (c == '%') {
        out.write(Integer.parseInt(encoded.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
