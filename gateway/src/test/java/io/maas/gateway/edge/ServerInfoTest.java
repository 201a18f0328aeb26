package io.maas.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerInfoTest {
  @Test
  void everyEdgeNamesTheSameServer() {
    assertEquals("maas", ServerInfo.REST.name());
    assertEquals(ServerInfo.REST.name(), ServerInfo.GRPC.name());
    assertEquals(ServerInfo.REST.version(), ServerInfo.GRPC.version());
  }

  @Test
  void restAddsBinaryTensorDataToWhatGrpcImplements() {
    List<String> rest = new ArrayList<>(ServerInfo.GRPC.extensions());
    rest.add(0, "binary_tensor_data");
    assertEquals(rest, ServerInfo.REST.extensions());
    assertEquals(List.of("model_configuration", "model_repository", "parameters", "statistics"),
        ServerInfo.GRPC.extensions());
  }

  @Test
  void theExtensionsCannotBeChanged() {
    List<String> given = new ArrayList<>(List.of("a"));
    ServerInfo info = new ServerInfo("n", "1", given);
    given.add("b");
    assertEquals(List.of("a"), info.extensions());
    assertThrows(UnsupportedOperationException.class, () -> ServerInfo.REST.extensions().add("x"));
  }
}
