package io.maas.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The gateway reaches workers only over the event bus: no gateway class names worker code (Maven also keeps the
 * worker off the gateway's compile classpath: it is a runtime dependency, for maas-gateway.jar's worker role). And
 * the worker core knows nothing of web or gRPC.
 */
class ArchitectureTest {
  @Test
  void noGatewayClassNamesWorkerCode() throws IOException {
    List<String> offenders = sources("gateway/src/main/java")
        .filter(p -> contains(p, "io.maas.worker"))
        .map(Path::toString)
        .toList();
    assertEquals(List.of(), offenders);
  }

  @Test
  void workerCoreHasNoWebOrGrpcImports() throws IOException {
    List<String> offenders = sources("worker/src/main/java")
        .filter(p -> contains(p, "io.vertx.ext.web") || contains(p, "io.vertx.grpc") || contains(p, "io.grpc"))
        .map(Path::toString)
        .toList();
    assertEquals(List.of(), offenders);
  }

  private static Stream<Path> sources(String dir) throws IOException {
    try (Stream<Path> s = Files.walk(TestRepository.root().resolve(dir))) {
      return s.filter(p -> p.toString().endsWith(".java")).toList().stream();
    }
  }

  private static Stream<String> lines(Path p) {
    try {
      return Files.readAllLines(p).stream().map(String::trim);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static boolean contains(Path p, String text) {
    return lines(p).anyMatch(l -> l.contains(text));
  }
}
