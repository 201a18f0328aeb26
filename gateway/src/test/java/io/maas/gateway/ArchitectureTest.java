package io.maas.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The gateway reaches workers only over the event bus: no gateway class names worker code (Maven also keeps the
 * worker off the gateway's compile classpath: it is a runtime dependency, for maas-gateway.jar's worker role). And
 * the worker core knows nothing of web or gRPC. And no module's main code has a package cycle: dependencies between
 * packages go one way, so a package can be read, tested and moved with only what it names ({@link PackageGraph} says
 * what it reads).
 */
class ArchitectureTest {
  /**
   * A floor under the packages each module's main code holds (today 14, 13, 18 and 3): a reader that misses a source
   * tree, or most of one, fails here rather than finding no cycle in nothing. A new module needs its floor here.
   */
  private static final Map<String, Integer> FEWEST_PACKAGES = Map.of("shared", 10, "worker", 10, "gateway", 15,
      "bench", 2);

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

  /** Over the main sources of every module the root pom lists (shared, worker, gateway, bench), in one graph. */
  @Test
  void noModuleHasAPackageCycle() {
    PackageGraph graph = PackageGraph.read(TestRepository.root(), modules());
    List<List<String>> cycles = graph.cycles();
    assertTrue(cycles.isEmpty(), "packages must depend on each other in one direction; move a class to the package "
        + "that owns its concept, or give the lower package a small type of its own:" + graph.describe(cycles));
  }

  @Test
  void theGraphCoversEveryModuleAndItsImports() {
    assertEquals(FEWEST_PACKAGES.keySet(), Set.copyOf(modules()), "the modules of the root pom, each with a floor");
    PackageGraph graph = PackageGraph.read(TestRepository.root(), modules());
    for (String module : modules()) {
      Set<String> packages = graph.packagesOf(module);
      assertTrue(packages.size() >= FEWEST_PACKAGES.get(module), module + " yields only " + packages);
      assertTrue(packages.stream().anyMatch(p -> graph.dependenciesOf(p).keySet().stream().anyMatch(packages::contains)),
          module + ": no package of it names another of it, so its imports were not read");
    }
  }

  @Test
  void theCycleFinderFindsEachCycleAndNothingElse() {
    Map<String, List<String>> graph = Map.of(
        "a", List.of("b"), "b", List.of("c"), "c", List.of("a", "d"), // a -> b -> c -> a
        "d", List.of("e"), "e", List.of("f"),                          // a chain out of it: no cycle
        "x", List.of("y", "x"), "y", List.of("x"));                    // x <-> y; x naming itself is no cycle alone
    assertEquals(List.of(List.of("a", "b", "c"), List.of("x", "y")), PackageGraph.stronglyConnected(graph));
    assertEquals(List.of(), PackageGraph.stronglyConnected(Map.of("a", List.of("b", "c"), "b", List.of("c"),
        "c", List.of("d"))));
    assertEquals(List.of(), PackageGraph.stronglyConnected(Map.of("a", List.of("a"))));
  }

  @Test
  void theReaderSeesImportsStaticImportsAndQualifiedNamesButNotCommentsOrStrings() {
    PackageGraph graph = PackageGraph.of("m", Map.of(
        "a/A.java", """
            package io.maas.m.a;

            import io.maas.m.b.B;
            import static io.maas.m.c.C.constant;
            import io.maas.m.d.*;
            // import io.maas.m.comment.X;
            /** {@link io.maas.m.javadoc.Y} */
            class A {
              io.maas.m.e.E.Inner field = new io.maas.m.e.E.Inner();
              String s = "io.maas.m.string.Z \\\" io.maas.m.string.Z";
              char q = '"';
              String t = \"""
                  io.maas.m.block.W
                  \""";
              Object same = io.maas.m.a.Other.VALUE;
            }
            """,
        "b/B.java", "package io.maas.m.b;\nclass B { io.maas.m.a.A back; }\n"));
    assertEquals(Set.of("io.maas.m.a", "io.maas.m.b"), graph.packagesOf("m"));
    assertEquals(Set.of("io.maas.m.b", "io.maas.m.c", "io.maas.m.d", "io.maas.m.e"),
        graph.dependenciesOf("io.maas.m.a").keySet());
    assertEquals("import static io.maas.m.c.C.constant;", graph.dependenciesOf("io.maas.m.a").get("io.maas.m.c").line());
    List<List<String>> cycles = graph.cycles();
    assertEquals(List.of(List.of("io.maas.m.a", "io.maas.m.b")), cycles);
    String described = graph.describe(cycles);
    assertTrue(described.contains("io.maas.m.a -> io.maas.m.b: a/A.java: import io.maas.m.b.B;"), described);
    assertTrue(described.contains("io.maas.m.b -> io.maas.m.a: b/B.java: class B { io.maas.m.a.A back; }"), described);
  }

  /** The modules of the root pom, in its order. */
  private static List<String> modules() {
    Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(read(TestRepository.root().resolve("pom.xml")));
    List<String> modules = new java.util.ArrayList<>();
    while (m.find()) {
      modules.add(m.group(1).trim());
    }
    return modules;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
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
