package io.maas.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The gateway reaches workers only over the event bus: no gateway class but the process bootstrap
 * (which deploys the worker verticles of a standalone node) may name worker code. And the worker core
 * knows nothing of web or gRPC.
 */
class ArchitectureTest {
  private static final Set<String> BOOTSTRAP = Set.of("MaasNode.java", "Main.java");

  @Test
  void onlyTheBootstrapOfTheGatewayNamesWorkerCode() throws IOException {
    List<String> offenders = sources("gateway/src/main/java")
        .filter(p -> !BOOTSTRAP.contains(p.getFileName().toString()))
        .filter(p -> contains(p, "io.maas.worker"))
        .map(Path::toString)
        .toList();
    assertEquals(List.of(), offenders);
  }

  @Test
  void bootstrapUsesOnlyTheWorkerEntryPoints() throws IOException {
    List<String> workerImports = sources("gateway/src/main/java")
        .flatMap(ArchitectureTest::lines)
        .filter(l -> l.startsWith("import io.maas.worker."))
        .distinct()
        .toList();
    assertEquals(List.of("import io.maas.worker.WorkerMain;", "import io.maas.worker.WorkerNode;"),
        workerImports.stream().sorted().toList());
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
