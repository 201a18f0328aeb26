package io.maas.worker.text;

import io.maas.error.MaasException;
import io.maas.inference.InferenceRequest;
import io.maas.model.TensorSpec;
import io.maas.model.TextSpec;
import io.maas.tensor.DataType;
import io.maas.tensor.Tensor;
import io.maas.worker.repository.TextConfig;
import io.maas.worker.repository.TextConfig.Pooling;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What makes a model a text model: its tokenizer, which of its inputs take the token ids, attention
 * mask and token type ids, and how its pooled output is computed from one of its outputs. The model
 * takes either its token inputs or one BYTES input of strings; the pooled output is available for both.
 */
public final class TextModel implements AutoCloseable {
  /** The tokenizer outputs a text model's inputs can take. */
  enum Role { INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS }

  private final TextConfig config;
  private final TextTokenizer tokenizer;
  private final Map<Role, TensorSpec> inputs;
  private final TensorSpec source;

  private TextModel(TextConfig config, TextTokenizer tokenizer, Map<Role, TensorSpec> inputs, TensorSpec source) {
    this.config = config;
    this.tokenizer = tokenizer;
    this.inputs = inputs;
    this.source = source;
  }

  /**
   * Binds a text section to a model's declared inputs and outputs and loads its tokenizer.
   *
   * @throws IllegalArgumentException when the model cannot be fed or pooled as configured
   * @throws IOException when the tokenizer file cannot be read
   */
  public static TextModel create(TextConfig config, List<TensorSpec> modelInputs, List<TensorSpec> modelOutputs,
      Path tokenizerFile) throws IOException {
    Map<Role, TensorSpec> roles = bindInputs(config, modelInputs);
    TensorSpec source = source(config, modelOutputs);
    if (modelOutputs.stream().anyMatch(o -> o.name().equals(config.output()))) {
      throw new IllegalArgumentException("text: output '" + config.output() + "' is already a model output; "
          + "name the pooled output otherwise with text.output");
    }
    if (!tokenizerFile.toFile().isFile()) {
      throw new IllegalArgumentException("text: tokenizer " + tokenizerFile + " does not exist");
    }
    return new TextModel(config, TextTokenizer.load(tokenizerFile, config.maxLength(), config.truncation()), roles,
        source);
  }

  private static Map<Role, TensorSpec> bindInputs(TextConfig config, List<TensorSpec> modelInputs) {
    Map<Role, String> names = new LinkedHashMap<>();
    names.put(Role.INPUT_IDS, config.inputIds());
    names.put(Role.ATTENTION_MASK, config.attentionMask());
    names.put(Role.TOKEN_TYPE_IDS, config.tokenTypeIds());
    Map<Role, TensorSpec> bound = new LinkedHashMap<>();
    for (Map.Entry<Role, String> e : names.entrySet()) {
      String key = e.getKey().name().toLowerCase(Locale.ROOT);
      String name = e.getValue() == null ? key : e.getValue();
      Optional<TensorSpec> spec = modelInputs.stream().filter(s -> s.name().equals(name)).findFirst();
      if (spec.isEmpty()) {
        if (e.getValue() != null || e.getKey() == Role.INPUT_IDS) {
          throw new IllegalArgumentException("text: the model has no input '" + name + "' for the " + key
              + "; its inputs are " + modelInputs.stream().map(TensorSpec::name).toList() + " (set text." + key + ")");
        }
        continue;
      }
      TensorSpec s = spec.get();
      if ((s.datatype() != DataType.INT64 && s.datatype() != DataType.INT32) || s.shape().length != 2) {
        throw new IllegalArgumentException("text: input '" + s.name() + "' takes the " + key
            + ", so it must be INT64 or INT32 of rank 2 [texts, tokens]; it is " + s);
      }
      bound.put(e.getKey(), s);
    }
    for (TensorSpec in : modelInputs) {
      if (bound.values().stream().noneMatch(b -> b.name().equals(in.name()))) {
        throw new IllegalArgumentException("text: model input '" + in.name()
            + "' takes none of input_ids, attention_mask, token_type_ids; name its role in the text section");
      }
      if (in.name().equals(config.input())) {
        throw new IllegalArgumentException("text: input '" + config.input() + "' is already a model input");
      }
    }
    return bound;
  }

  private static TensorSpec source(TextConfig config, List<TensorSpec> modelOutputs) {
    int rank = config.pooling() == Pooling.NONE ? 2 : 3;
    String what = config.pooling().name().toLowerCase(Locale.ROOT) + " pooling reads an FP32 output of rank " + rank;
    if (config.source() != null) {
      TensorSpec s = modelOutputs.stream().filter(o -> o.name().equals(config.source())).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("text: source '" + config.source()
              + "' is not a model output; its outputs are " + modelOutputs.stream().map(TensorSpec::name).toList()));
      if (s.datatype() != DataType.FP32 || s.shape().length != rank) {
        throw new IllegalArgumentException("text: " + what + "; source '" + s.name() + "' is " + s);
      }
      return s;
    }
    List<TensorSpec> candidates = modelOutputs.stream()
        .filter(o -> o.datatype() == DataType.FP32 && o.shape().length == rank).toList();
    if (candidates.size() != 1) {
      throw new IllegalArgumentException("text: " + what + "; the model has " + candidates.size()
          + " such outputs " + candidates.stream().map(TensorSpec::name).toList() + ": name one with text.source");
    }
    return candidates.get(0);
  }

  public TextConfig config() {
    return config;
  }

  /** The name of the model output pooling reads. */
  public String source() {
    return source.name();
  }

  /** The text input: BYTES [-1], one string per text. */
  public TensorSpec inputSpec() {
    return new TensorSpec(config.input(), DataType.BYTES, new long[] {-1});
  }

  /** The pooled output: FP32 [-1, hidden]. */
  public TensorSpec outputSpec() {
    long[] s = source.shape();
    return new TensorSpec(config.output(), DataType.FP32, new long[] {-1, s[s.length - 1]});
  }

  public TextSpec spec() {
    return new TextSpec(config.input(), config.output(), config.maxTexts(), config.maxTextBytes());
  }

  /** Whether the request carries text rather than tokens. */
  public boolean isText(InferenceRequest request) {
    return request.inputs().stream().anyMatch(t -> t.name().equals(config.input()));
  }

  /**
   * Makes a validated request ready to run: tokenises its text (one run per text, or one padded batch),
   * or takes its token inputs as they are. Blocking (the tokenizer is native code): call it on a worker
   * thread.
   */
  public TextRun prepare(InferenceRequest request) {
    Optional<Tensor> text = request.inputs().stream().filter(t -> t.name().equals(config.input())).findFirst();
    if (text.isEmpty()) {
      return new TextRun(List.of(new TextRun.Part(request.inputs(), tokenMask(request))), new JsonObject());
    }
    List<String> texts = TextInputs.decode(text.get(), config.maxTextBytes());
    List<TokenBatch> batches = config.paddedBatch()
        ? List.of(tokenizer.encode(texts))
        : texts.stream().map(t -> tokenizer.encode(List.of(t))).toList();
    List<TextRun.Part> parts = new ArrayList<>(batches.size());
    long tokens = 0;
    int truncated = 0;
    for (TokenBatch batch : batches) {
      parts.add(new TextRun.Part(tensors(batch), batch.mask()));
      tokens += batch.tokens();
      truncated += batch.truncated();
    }
    JsonObject parameters = new JsonObject().put("prompt_tokens", tokens);
    if (truncated > 0) {
      parameters.put("truncated_texts", truncated);
    }
    return new TextRun(parts, parameters);
  }

  private List<Tensor> tensors(TokenBatch batch) {
    List<Tensor> tensors = new ArrayList<>();
    inputs.forEach((role, spec) -> tensors.add(tensor(spec, batch, switch (role) {
      case INPUT_IDS -> batch.ids();
      case ATTENTION_MASK -> batch.mask();
      case TOKEN_TYPE_IDS -> batch.typeIds();
    })));
    return tensors;
  }

  /** Stacks the outputs of a request's runs (one per text, or one) into one tensor per output. */
  public static Tensor stack(List<Tensor> parts) {
    return Stacking.stack(parts);
  }

  /** The pooled output computed from the source output. */
  public Tensor pool(Tensor sourceOutput, long[] mask) {
    return Poolers.pool(config.output(), sourceOutput, mask, config.pooling(), config.normalize());
  }

  /** A token request's attention mask: its mask input if the model has one, else all ones. */
  private long[] tokenMask(InferenceRequest request) {
    TensorSpec maskSpec = inputs.get(Role.ATTENTION_MASK);
    String ids = inputs.get(Role.INPUT_IDS).name();
    for (Tensor t : request.inputs()) {
      if (maskSpec != null && t.name().equals(maskSpec.name())) {
        return longs(t);
      }
    }
    Tensor idTensor = request.inputs().stream().filter(t -> t.name().equals(ids)).findFirst().orElseThrow();
    long[] ones = new long[(int) idTensor.elementCount()];
    Arrays.fill(ones, 1L);
    return ones;
  }

  private static long[] longs(Tensor t) {
    ByteBuffer b = t.buffer();
    long[] out = new long[(int) t.elementCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = t.datatype() == DataType.INT32 ? b.getInt() : b.getLong();
    }
    return out;
  }

  private static Tensor tensor(TensorSpec spec, TokenBatch batch, long[] values) {
    long[] shape = {batch.texts(), batch.length()};
    if (spec.datatype() == DataType.INT32) {
      ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (long v : values) {
        b.putInt((int) v);
      }
      return new Tensor(spec.name(), DataType.INT32, shape, b.array());
    }
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(values);
    return new Tensor(spec.name(), DataType.INT64, shape, b.array());
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
