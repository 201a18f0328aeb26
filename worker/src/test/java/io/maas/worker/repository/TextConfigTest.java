package io.maas.worker.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.worker.repository.TextConfig.Pooling;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextConfigTest {
  @TempDir
  Path dir;

  @Test
  void anEmptySectionTakesTheDefaults() {
    TextConfig c = TextConfig.fromJson(new JsonObject());
    assertEquals("text", c.input());
    assertEquals("tokenizer.json", c.tokenizer());
    assertEquals("embedding", c.output());
    assertEquals(Pooling.MEAN, c.pooling());
    assertFalse(c.normalize());
    assertTrue(c.truncation());
    assertFalse(c.paddedBatch());
    assertEquals(TextConfig.DEFAULT_MAX_LENGTH, c.maxLength());
    assertNull(c.source());
    assertNull(c.inputIds());
  }

  @Test
  void aYamlTextSectionIsRead() throws Exception {
    Path model = Files.createDirectories(dir.resolve("enc"));
    Files.writeString(model.resolve("config.yaml"), """
        text:
          input: sentences
          max_length: 128
          output: vec
          pooling: cls
          normalize: true
          input_ids: ids
        """);
    TextConfig c = ModelRepository.readConfig(model, "enc").text();
    assertEquals("sentences", c.input());
    assertEquals(128, c.maxLength());
    assertEquals("vec", c.output());
    assertEquals(Pooling.CLS, c.pooling());
    assertTrue(c.normalize());
    assertEquals("ids", c.inputIds());
  }

  @Test
  void mistakesNameTheKey() {
    assertMessage("unknown key 'polling'", new JsonObject().put("polling", "mean"));
    assertMessage("pooling 'max' is not mean, cls or none", new JsonObject().put("pooling", "max"));
    assertMessage("max_length must be a positive integer", new JsonObject().put("max_length", 0));
    assertMessage("normalize must be true or false", new JsonObject().put("normalize", "yes"));
    assertMessage("input and output are both named 'x'", new JsonObject().put("input", "x").put("output", "x"));
  }

  private static void assertMessage(String expected, JsonObject json) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TextConfig.fromJson(json));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
