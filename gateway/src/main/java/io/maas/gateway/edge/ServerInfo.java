package io.maas.gateway.edge;

import java.util.List;

/**
 * What the server says of itself: KServe V2's server metadata ({@code GET /v2} on REST, {@code ServerMetadata} on
 * gRPC). One name and version for every edge; each edge lists the protocol extensions it really implements.
 *
 * @param extensions the KServe V2 and Triton protocol extensions of the edge
 */
public record ServerInfo(String name, String version, List<String> extensions) {
  public static final String NAME = "maas";
  public static final String VERSION = "0.1.0";

  /** The KServe V2 REST edge: binary tensor data is a REST extension (gRPC has raw contents of its own). */
  public static final ServerInfo REST = new ServerInfo(NAME, VERSION, List.of("binary_tensor_data",
      "model_configuration", "model_repository", "parameters", "statistics"));
  /** The KServe V2 gRPC edge. */
  public static final ServerInfo GRPC = new ServerInfo(NAME, VERSION, List.of("model_configuration",
      "model_repository", "parameters", "statistics"));

  public ServerInfo {
    extensions = List.copyOf(extensions);
  }
}
