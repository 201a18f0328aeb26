package io.maas.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one table of error formats: which API owns a path, and what each format writes. */
class ErrorFormatTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "/v2, KSERVE",
      "/v2/, KSERVE",
      "/v2/models/simple/infer, KSERVE",
      "/v2/repository/index, KSERVE",
      "/v2/models/stats, KSERVE",
      "/v2/health/ready, KSERVE",
      "/v1/models/simple, TF_SERVING",
      "/v1/models/simple:predict, TF_SERVING",
      "/v1/models/simple/versions/1/metadata, TF_SERVING",
      "/v1/models, OPENAI",
      "/v1/embeddings, OPENAI",
      "/simple/predict, MAAS",
      "/admin/keys, MAAS",
      "/metrics, MAAS",
      "/v2x/models, MAAS",
      "/, MAAS"})
  void eachPathBelongsToOneApisFormat(String path, ErrorFormat format) {
    assertEquals(format, ErrorFormat.of(path));
  }

  @Test
  void aPathThatCouldNotBeReadGetsMaasOwnFormat() {
    assertEquals(ErrorFormat.MAAS, ErrorFormat.of(null));
  }

  @Test
  void kserveAndTfServingBodiesHoldTheMessageAlone() {
    MaasException e = MaasException.invalid("input 'INPUT0': expected shape [-1, 16]");
    JsonObject only = new JsonObject().put("error", "input 'INPUT0': expected shape [-1, 16]");
    assertEquals(only, ErrorFormat.KSERVE.body(e));
    assertEquals(only, ErrorFormat.TF_SERVING.body(e));
  }

  @Test
  void maasOwnBodyAddsTheCode() {
    assertEquals(new JsonObject().put("error", "unknown model 'x'").put("code", "NOT_FOUND"),
        ErrorFormat.MAAS.body(MaasException.notFound("unknown model '%s'", "x")));
  }

  @Test
  void openAiBodyIsOpenAisErrorObject() {
    assertEquals(new JsonObject().put("error", new JsonObject().put("message", "unknown model 'x'")
            .put("type", "invalid_request_error").putNull("param").put("code", "model_not_found")),
        ErrorFormat.OPENAI.body(MaasException.notFound("unknown model '%s'", "x")));
    assertEquals(new JsonObject().put("error", new JsonObject().put("message", "slow down")
            .put("type", "rate_limit_error").putNull("param").put("code", "resource_exhausted")),
        ErrorFormat.OPENAI.body(new MaasException(ErrorCode.RESOURCE_EXHAUSTED, "slow down")));
  }
}
