package io.maas.worker.text;

import io.maas.error.MaasException;
import io.maas.tensor.BytesElements;
import io.maas.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The strings of a BYTES text input, checked: strict UTF-8, each within a size limit. */
public final class TextInputs {
  private TextInputs() {}

  /**
   * @throws MaasException INVALID_ARGUMENT for an element that is not UTF-8 or is over {@code maxBytes}
   */
  public static List<String> decode(Tensor input, int maxBytes) {
    List<byte[]> elements = BytesElements.decode(input.data());
    List<String> texts = new ArrayList<>(elements.size());
    for (int i = 0; i < elements.size(); i++) {
      byte[] e = elements.get(i);
      if (e.length > maxBytes) {
        throw MaasException.invalid("input '%s': text %d has %d bytes, over the limit of %d", input.name(), i,
            e.length, maxBytes);
      }
      try {
        texts.add(StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(e))
            .toString());
      } catch (CharacterCodingException ex) {
        throw MaasException.invalid("input '%s': text %d is not valid UTF-8", input.name(), i);
      }
    }
    return texts;
  }
}
