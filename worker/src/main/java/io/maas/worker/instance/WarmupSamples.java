package io.maas.worker.instance;

import io.maas.error.MaasException;
import io.maas.inference.InferenceRequest;
import io.maas.model.TensorSpec;
import io.maas.tensor.BytesElements;
import io.maas.tensor.DataType;
import io.maas.tensor.Shapes;
import io.maas.tensor.Tensor;
import io.maas.worker.repository.ModelWarmup;
import io.maas.worker.repository.WarmupInput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Makes a model's {@code model_warmup} samples into requests for one loaded version, checked against its
 * signature: input names, datatypes and dims, {@code batch_size} against {@code max_batch_size}, data files,
 * and then every check a client request gets. Each error names the sample and the key. Blocking (it reads
 * the data files): call it on a worker thread.
 */
public final class WarmupSamples {
  /** Random data is the same at every load: a warmup that fails, fails every time. */
  private static final long SEED = 20_260_101L;

  private WarmupSamples() {}

  /**
   * One sample made ready to run.
   *
   * @param name the sample's name
   * @param request the request, the sample repeated {@code batch_size} times along the batch dimension
   * @param count how many times it runs on each instance
   */
  public record Sample(String name, InferenceRequest request, int count) {}

  /**
   * @param modelDir the model's directory (data files are read from it, or from its {@code warmup/})
   * @throws MaasException INVALID_ARGUMENT naming the sample and the key when a sample does not fit the model
   */
  public static List<Sample> of(String model, String version, ModelSignature signature, List<ModelWarmup> warmups,
      Path modelDir) {
    List<Sample> samples = new ArrayList<>();
    Random random = new Random(SEED);
    for (int i = 0; i < warmups.size(); i++) {
      ModelWarmup w = warmups.get(i);
      String where = "model_warmup[" + i + "] '" + w.name() + "'";
      InferenceRequest request = request(model, version, signature, w, where, modelDir, random);
      try {
        RequestValidator.validate(model, signature, request);
      } catch (MaasException e) {
        throw MaasException.invalid("%s: %s", where, e.getMessage());
      }
      samples.add(new Sample(w.name(), request, w.count()));
    }
    return samples;
  }

  private static InferenceRequest request(String model, String version, ModelSignature signature, ModelWarmup w,
      String where, Path modelDir, Random random) {
    if (signature.maxBatchSize() == 0 && w.batchSize() != 1) {
      throw MaasException.invalid("%s: batch_size is %d, but the model has no batch dimension (max_batch_size 0): "
          + "use 1", where, w.batchSize());
    }
    if (signature.maxBatchSize() > 0 && w.batchSize() > signature.maxBatchSize()) {
      throw MaasException.invalid("%s: batch_size %d is over max_batch_size %d", where, w.batchSize(),
          signature.maxBatchSize());
    }
    String textInput = signature.text() == null ? null : signature.text().input();
    List<Tensor> tensors = new ArrayList<>();
    for (Map.Entry<String, WarmupInput> e : w.inputs().entrySet()) {
      String at = where + ": inputs." + e.getKey();
      WarmupInput in = e.getValue();
      TensorSpec spec = signature.input(e.getKey()).orElseThrow(() -> MaasException.invalid(
          "%s: the model has no input '%s'; its inputs are %s", at, e.getKey(), signature.inputNames()));
      boolean text = e.getKey().equals(textInput);
      if (in.data() == WarmupInput.Data.TEXTS && !text) {
        throw MaasException.invalid("%s: texts are for the text input of a text model%s; give this input "
            + "zero_data, random_data or input_data_file", at, textInput == null ? "" : " ('" + textInput + "')");
      }
      if (in.dataType() != spec.datatype()) {
        throw MaasException.invalid("%s.data_type is %s, but the model's input is %s", at, in.dataType(),
            spec.datatype());
      }
      long[] dims = in.dims().stream().mapToLong(Long::longValue).toArray();
      // the text input's one dimension is its texts; otherwise the batch dimension is not in dims, as in Triton
      boolean batched = signature.maxBatchSize() > 0 && !text;
      long[] expected = batched ? Arrays.copyOfRange(spec.shape(), 1, spec.shape().length) : spec.shape();
      if (!Shapes.matches(expected, dims)) {
        throw MaasException.invalid("%s.dims %s do not fit the model's input %s%s", at, Shapes.format(dims),
            Shapes.format(expected), batched ? " (without its batch dimension)" : "");
      }
      byte[] one = data(in, at, modelDir, random);
      long[] shape = batched ? prepend(w.batchSize(), dims) : dims.clone();
      if (text) {
        shape[0] *= w.batchSize(); // the texts, batch_size times
      }
      tensors.add(new Tensor(e.getKey(), in.dataType(), shape, repeat(one, w.batchSize())));
    }
    return new InferenceRequest(model, version, "warmup:" + w.name(), tensors, List.of(), null);
  }

  private static byte[] data(WarmupInput in, String at, Path modelDir, Random random) {
    int n = Math.toIntExact(in.elements());
    return switch (in.data()) {
      case ZERO -> in.dataType() == DataType.BYTES
          ? BytesElements.encode(Collections.nCopies(n, new byte[0])) : new byte[n * in.dataType().elementSize()];
      case RANDOM -> RandomValues.of(in.dataType(), n, random);
      case TEXTS -> BytesElements.encodeStrings(in.texts());
      case FILE -> fileData(in, at, n, modelDir);
    };
  }

  /**
   * A data file's first values (Triton: the file may hold more than the sample takes). Looked up in the model
   * directory, then in its {@code warmup/} directory (where Triton keeps them); never outside the model directory.
   */
  private static byte[] fileData(WarmupInput in, String at, int n, Path modelDir) {
    Path dir = modelDir.toAbsolutePath().normalize();
    Path file = dir.resolve(in.file()).normalize();
    if (!file.startsWith(dir) || file.equals(dir)) {
      throw MaasException.invalid("%s.input_data_file '%s' is outside the model directory", at, in.file());
    }
    if (!Files.isRegularFile(file)) {
      Path triton = dir.resolve("warmup").resolve(in.file()).normalize();
      if (!triton.startsWith(dir) || !Files.isRegularFile(triton)) {
        throw MaasException.invalid("%s.input_data_file '%s' is neither in %s nor in its warmup/ directory", at,
            in.file(), dir);
      }
      file = triton;
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw MaasException.invalid("%s.input_data_file %s cannot be read: %s", at, file, e.getMessage());
    }
    if (in.dataType() != DataType.BYTES) {
      long needed = (long) n * in.dataType().elementSize();
      if (bytes.length < needed) {
        throw MaasException.invalid("%s.input_data_file %s holds %d bytes; dims %s of %s need %d", at,
            file.getFileName(), bytes.length, in.dims(), in.dataType(), needed);
      }
      return Arrays.copyOf(bytes, (int) needed);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      int len = b.remaining() >= 4 ? b.getInt() : -1;
      if (len < 0 || len > b.remaining()) {
        throw MaasException.invalid("%s.input_data_file %s holds %d well-formed strings (each a 4-byte "
            + "little-endian length, then its bytes); dims %s need %d", at, file.getFileName(), i, in.dims(), n);
      }
      b.position(b.position() + len);
    }
    return Arrays.copyOf(bytes, b.position());
  }

  private static long[] prepend(long first, long[] dims) {
    long[] shape = new long[dims.length + 1];
    shape[0] = first;
    System.arraycopy(dims, 0, shape, 1, dims.length);
    return shape;
  }

  private static byte[] repeat(byte[] one, int times) {
    byte[] all = new byte[Math.multiplyExact(one.length, times)];
    for (int i = 0; i < times; i++) {
      System.arraycopy(one, 0, all, i * one.length, one.length);
    }
    return all;
  }
}
