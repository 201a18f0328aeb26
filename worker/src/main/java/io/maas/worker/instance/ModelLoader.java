package io.maas.worker.instance;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.SessionOptions;
import io.maas.model.TensorSpec;
import io.maas.worker.repository.ModelDefinition;
import io.maas.worker.repository.ModelIntegrity;
import io.maas.worker.repository.TextConfig;
import io.maas.worker.runtime.OrtRuntime;
import io.maas.worker.runtime.OrtTypes;
import io.maas.worker.runtime.TensorConverter;
import io.maas.worker.text.TextModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Opens the sessions of one model version and works out its signature. Blocking: run it on a worker thread. */
public final class ModelLoader {
  private final OrtRuntime runtime;
  private final TensorConverter converter;
  private final int defaultMaxBatchSize;

  public ModelLoader(OrtRuntime runtime, int defaultMaxBatchSize) {
    this.runtime = runtime;
    this.converter = new TensorConverter(runtime.env());
    this.defaultMaxBatchSize = defaultMaxBatchSize;
  }

  /**
   * Where the version's file has a SHA-256 stated ({@link ModelIntegrity}), the file is read and checked first and
   * the sessions are made from the bytes checked; a file that fails its check never reaches ONNX Runtime.
   *
   * @throws ModelIntegrity.Rejected when the model file fails its SHA-256 check
   * @throws IllegalArgumentException when the model contradicts its configuration or cannot be fed
   * @throws OrtException when ONNX Runtime cannot load the model file
   * @throws IOException when a text model's tokenizer cannot be read
   */
  public LoadedModel load(ModelDefinition def, long version, SessionOptions options) throws OrtException, IOException {
    return load(def, version, options, def.config().placement().count());
  }

  /**
   * The signature of one model version, worked out exactly as {@link #load} does (its file checked alike), from one
   * session opened for that alone and closed at once (the simulated device serves signatures, not sessions).
   *
   * @throws IllegalArgumentException, OrtException, IOException as {@link #load} does
   */
  public ModelSignature readSignature(ModelDefinition def, long version, SessionOptions options)
      throws OrtException, IOException {
    try (LoadedModel model = load(def, version, options, 1)) {
      return model.signature();
    } catch (OrtException | IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("closing " + def.name() + " version " + version + ": " + e.getMessage(), e);
    }
  }

  private LoadedModel load(ModelDefinition def, long version, SessionOptions options, int sessions)
      throws OrtException, IOException {
    Path file = def.versions().get(version);
    Optional<ModelIntegrity.Verified> verified = ModelIntegrity.read(def, version);
    List<ModelInstance> instances = new ArrayList<>();
    TextModel text = null;
    try {
      for (int i = 0; i < sessions; i++) {
        instances.add(new ModelInstance(verified.isPresent() ? runtime.openSession(verified.get().bytes(), options)
            : runtime.openSession(file, options), converter));
      }
      ModelInstance first = instances.get(0);
      ModelSignature signature = SignatureResolver.resolve(
          def.config(), first.declaredInputs(), first.declaredOutputs(), defaultMaxBatchSize);
      TextConfig textConfig = def.config().text();
      if (textConfig != null) {
        text = TextModel.create(textConfig, signature.inputs(), signature.outputs(), tokenizerFile(file, textConfig));
        signature = signature.withText(text.inputSpec(), text.outputSpec(), text.spec());
      }
      for (TensorSpec in : signature.inputs()) {
        if (OrtTypes.inputJavaType(in.datatype()).isEmpty()) {
          throw new IllegalArgumentException("input '" + in.name() + "' is " + in.datatype()
              + ", which ONNX Runtime's Java API cannot create (it has no UINT16/UINT32/UINT64 tensors)");
        }
      }
      return new LoadedModel(def.name(), Long.toString(version), signature, instances, text,
          verified.map(ModelIntegrity.Verified::sha256).orElse(""));
    } catch (OrtException | IOException | RuntimeException e) {
      for (ModelInstance i : instances) {
        i.close();
      }
      if (text != null) {
        text.close();
      }
      throw e;
    }
  }

  /** The tokenizer of a version: its own if the version directory has one, else the model directory's. */
  static Path tokenizerFile(Path modelFile, TextConfig text) {
    Path versionDir = modelFile.toAbsolutePath().getParent();
    Path own = versionDir.resolve(text.tokenizer());
    return Files.isRegularFile(own) ? own : versionDir.getParent().resolve(text.tokenizer());
  }
}
