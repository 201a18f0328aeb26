package io.maas.server;

import io.maas.config.CommandLine;
import io.maas.config.ConfigLoader;
import io.maas.config.MaasConfig;
import io.maas.config.ModelBasePath;
import io.maas.config.tfserving.TfServingCommandLine;
import io.maas.gateway.GatewayVerticle;
import io.maas.node.MaasNode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * maas embedded in a Java program or a test: the same node as the jar's standalone mode (gateway and an ONNX
 * Runtime worker in this JVM, on a Hazelcast cluster of its own), configured like the TF Serving drop-in.
 *
 * <pre>{@code
 * try (MaasServer server = MaasServer.builder()
 *     .addModel("my_model", Path.of("/path/to/save/model"))   // <base>/<version>/model.onnx, or <base>/model.onnx
 *     .port(9000)                                              // REST and gRPC; 0: a free port
 *     .serve()) {                                              // returns once every model is loaded
 *   // POST http://127.0.0.1:9000/my_model/predict {"images": [[1, 299, 299, 3, 0.5]]}
 * }
 * }</pre>
 *
 * Like the drop-in it binds 127.0.0.1 unless {@link Builder#host} says otherwise and takes no API keys unless
 * {@link Builder#apiKeys} turns them on. {@code conf/maas.yaml} (from the working directory, else the jar),
 * {@code MAAS_*} environment variables and {@code maas.*} system properties apply as they do to the jar;
 * {@link Builder#set} overrides any key. {@link #close()} stops the node: it finishes the requests it holds,
 * closes the ONNX Runtime sessions and leaves its cluster.
 */
public final class MaasServer implements AutoCloseable {
  private final MaasNode node;

  private MaasServer(MaasNode node) {
    this.node = node;
  }

  /**
   * A builder with no model yet, REST and gRPC on TF Serving's port 8500 of 127.0.0.1. Without
   * {@link Builder#addModel} or {@link Builder#modelRepository} it serves the configured repository
   * ({@code worker.model_repository}, default {@code conf/models}).
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The REST port (and the gRPC port, unless {@link Builder#restApiPort} separated them). */
  public int port() {
    return node.httpPort();
  }

  /** The gRPC port (KServe V2 gRPC): {@link #port()} unless REST has a port of its own. */
  public int grpcPort() {
    return node.grpcPort();
  }

  /** Stops the node and waits until it has stopped. Must not be called on a Vert.x event loop. */
  @Override
  public void close() {
    node.close().await();
  }

  /** What to serve and where; {@link #serve()} starts it. */
  public static final class Builder {
    /** How long {@link #serve()} waits for the models to load, unless {@link #readyTimeout} says otherwise. */
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(120);

    private final List<ModelBasePath> models = new ArrayList<>();
    private final List<String> flags = new ArrayList<>();
    private Duration readyTimeout = DEFAULT_READY_TIMEOUT;

    private Builder() {}

    /**
     * Serves a model from its base path, TF Serving's layout: numeric version directories each holding
     * {@code model.onnx} (the latest is served), or {@code model.onnx} directly (version 1).
     */
    public Builder addModel(String name, Path basePath) {
      models.add(new ModelBasePath(name, basePath));
      return this;
    }

    /** Serves a Triton-layout model repository instead of models added one by one. */
    public Builder modelRepository(Path repository) {
      return set("worker.model_repository", repository.toString());
    }

    /** REST and gRPC on this port (TF Serving's {@code --port}); 0 picks a free one ({@link MaasServer#port()}). */
    public Builder port(int port) {
      return set("gateway.http_port", Integer.toString(port)).set("gateway.grpc_on_http_port", "true");
    }

    /** REST and gRPC on ports of their own (TF Serving's {@code --rest_api_port} and {@code --port}). */
    public Builder restApiPort(int restPort, int grpcPort) {
      return set("gateway.http_port", Integer.toString(restPort)).set("gateway.grpc_port", Integer.toString(grpcPort))
          .set("gateway.grpc_on_http_port", "false");
    }

    /** The address REST and gRPC bind to (default 127.0.0.1; {@code 0.0.0.0} for every interface). */
    public Builder host(String host) {
      return set("gateway.host", host);
    }

    /** Turns API keys, limits and the key API on, as {@code --api-keys} does (see the README). */
    public Builder apiKeys(boolean on) {
      return set("gateway.auth_enabled", Boolean.toString(on));
    }

    /** Reads a maas configuration file (YAML, or JSON), as {@code --config} does. */
    public Builder configFile(Path file) {
      flags.add("--config");
      flags.add(file.toString());
      return this;
    }

    /** Sets any configuration key, as {@code --set section.key=value} does (docs/configuration.md). */
    public Builder set(String key, String value) {
      flags.add("--set");
      flags.add(key + "=" + value);
      return this;
    }

    /** How long {@link #serve()} waits for the node to become ready. */
    public Builder readyTimeout(Duration timeout) {
      this.readyTimeout = timeout;
      return this;
    }

    /**
     * Starts the node and returns once it is ready (its models loaded), blocking the calling thread; never call
     * it on a Vert.x event loop.
     *
     * @throws IllegalArgumentException when the configuration or a model's base path cannot be served (a
     *     missing directory, a TensorFlow SavedModel, ...), with a message saying what to fix
     * @throws IllegalStateException when the node does not become ready within the timeout
     */
    public MaasServer serve() {
      List<String> args = new ArrayList<>(flags);
      if (!models.isEmpty()) {
        args.add("--set");
        args.add("worker.models=" + new JsonArray(models.stream().map(ModelBasePath::toJson).toList()).encode());
      }
      CommandLine cli = CommandLine.parse(args.toArray(String[]::new))
          .withModeDefaults(TfServingCommandLine.modeDefaults());
      MaasConfig config = ConfigLoader.ofProcess().loadOnce(cli);
      long deadline = System.nanoTime() + readyTimeout.toNanos();
      return MaasNode.start(config, MaasNode.Mode.STANDALONE)
          .compose(node -> ready(node, deadline).map(v -> new MaasServer(node))
              .recover(e -> node.close().transform(closed -> Future.<MaasServer>failedFuture(e))))
          .await();
    }

    private Future<Void> ready(MaasNode node, long deadline) {
      return node.deployed(GatewayVerticle.class).ready().compose(ready -> {
        if (ready) {
          return Future.succeededFuture();
        }
        if (System.nanoTime() - deadline > 0) {
          return Future.failedFuture(new IllegalStateException("maas was not ready within " + readyTimeout));
        }
        return node.vertx().timer(50).mapEmpty().compose(v -> ready(node, deadline));
      });
    }
  }
}
