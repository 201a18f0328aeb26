package io.maas.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One real standalone node on {@link TestRepository}'s models, shared by every test class that asks for a
 * {@link RunningNode} parameter ({@code @ExtendWith(SharedNode.class)}), started on first use and closed
 * when the whole run ends. The tests only read from it, so sharing it costs no isolation and saves a
 * node start (Hazelcast, model loading) per class.
 */
public final class SharedNode implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedNode.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == RunningNode.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(Started.class, k -> Started.start(), Started.class)
        .node();
  }

  /** The node and its temporary repository; JUnit closes it (AutoCloseable) when the run ends. */
  record Started(RunningNode node, Path repository) implements AutoCloseable {
    static Started start() {
      try {
        Path repo = Files.createTempDirectory("maas-test-repo");
        return new Started(RunningNode.start(TestRepository.create(repo)), repo);
      } catch (Exception e) {
        throw new IllegalStateException("the shared test node did not start", e);
      }
    }

    @Override
    public void close() throws IOException {
      node.close();
      try (Stream<Path> files = Files.walk(repository)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> {
          try {
            Files.delete(p);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      }
    }
  }
}
