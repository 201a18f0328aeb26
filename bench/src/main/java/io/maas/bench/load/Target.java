package io.maas.bench.load;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where a transport sends its requests: the ports of one or more gateways on 127.0.0.1, taken in turn
 * request by request (round robin), the API key every request carries ({@code Authorization: Bearer},
 * the same as gRPC metadata; no key when the gateways do not check keys), and whether the ports speak TLS.
 *
 * @param httpPorts the gateways' REST ports, in the order they are taken
 * @param grpcPorts their gRPC ports, in the same order
 * @param apiKey the key to send; empty: none
 * @param ca the PEM CA certificate the gateways' TLS certificates chain to, the only one trusted; empty: the ports
 *     are plaintext
 */
public record Target(List<Integer> httpPorts, List<Integer> grpcPorts, Optional<String> apiKey, Optional<Path> ca) {
  public Target {
    if (httpPorts.isEmpty() || httpPorts.size() != grpcPorts.size()) {
      throw new IllegalArgumentException("one REST and one gRPC port per gateway: " + httpPorts + ", " + grpcPorts);
    }
    httpPorts = List.copyOf(httpPorts);
    grpcPorts = List.copyOf(grpcPorts);
  }

  /** Plaintext ports. */
  public Target(List<Integer> httpPorts, List<Integer> grpcPorts, Optional<String> apiKey) {
    this(httpPorts, grpcPorts, apiKey, Optional.empty());
  }

  /** The value of the {@code Authorization} header (REST) or {@code authorization} metadata (gRPC). */
  Optional<String> authorization() {
    return apiKey.map(k -> "Bearer " + k);
  }
}
