package io.maas.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Which maas package names which, read from Java source text (no bytecode, no compiler). For each {@code .java} file
 * it reads the {@code package} declaration, then, with comments, string and character literals and text blocks
 * blanked out first, every {@code io.maas.} name followed by a type (a segment starting with an upper-case letter) or
 * by {@code *}: that covers {@code import}, {@code import static} and wildcard imports and fully qualified names in
 * code. The package named is every segment before the type. So a javadoc {@code {@link io.maas...}} or a log message
 * naming a class is no dependency; a class of the same package named without an import needs none.
 *
 * <p>It does not see what source text does not name: generated sources (the gRPC stubs under {@code target/}), a
 * class loaded by a name in a string, or a package or type that breaks Java's naming convention.
 */
final class PackageGraph {
  private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
  private static final Pattern NAME = Pattern.compile("\\bio\\.maas\\.((?:[a-z_][a-z0-9_]*\\.)*)(?:[A-Z]|\\*)");

  /** Where a dependency was seen: a file and the line that names the other package. */
  record Evidence(Path file, String line) {}

  private final Map<String, String> moduleOf = new TreeMap<>();
  private final Map<String, Map<String, Evidence>> edges = new TreeMap<>();

  private PackageGraph() {}

  /** The graph of the main sources ({@code <module>/src/main/java}) of these modules. */
  static PackageGraph read(Path root, List<String> modules) {
    PackageGraph graph = new PackageGraph();
    for (String module : modules) {
      for (Path file : javaFiles(root.resolve(module).resolve("src/main/java"))) {
        graph.add(module, root.relativize(file), read(file));
      }
    }
    return graph;
  }

  /** A graph of source texts given here, by their paths: for checking the reader itself. */
  static PackageGraph of(String module, Map<String, String> sources) {
    PackageGraph graph = new PackageGraph();
    sources.forEach((path, text) -> graph.add(module, Path.of(path), text));
    return graph;
  }

  private void add(String module, Path file, String text) {
    String code = codeOnly(text);
    Matcher declared = PACKAGE.matcher(code);
    if (!declared.find()) {
      throw new IllegalStateException(file + " declares no package");
    }
    String from = declared.group(1);
    moduleOf.putIfAbsent(from, module);
    Map<String, Evidence> out = edges.computeIfAbsent(from, p -> new TreeMap<>());
    Matcher named = NAME.matcher(code);
    while (named.find()) {
      String to = ("io.maas." + named.group(1)).replaceAll("\\.$", "");
      if (!to.equals(from)) {
        out.putIfAbsent(to, new Evidence(file, lineAt(text, named.start())));
      }
    }
  }

  /** The packages that hold a source file of this module. */
  Set<String> packagesOf(String module) {
    Set<String> packages = new TreeSet<>();
    moduleOf.forEach((p, m) -> {
      if (m.equals(module)) {
        packages.add(p);
      }
    });
    return packages;
  }

  /** The packages this one names, each with where it was first seen. */
  Map<String, Evidence> dependenciesOf(String pkg) {
    return edges.getOrDefault(pkg, Map.of());
  }

  /** The cycles: each a set of two or more packages that reach each other, sorted, in a sorted list. */
  List<List<String>> cycles() {
    Map<String, Collection<String>> names = new TreeMap<>();
    edges.forEach((from, out) -> names.put(from, out.keySet()));
    return stronglyConnected(names);
  }

  /** Each cycle with, for every edge inside it, the file and the line that makes it. */
  String describe(List<List<String>> cycles) {
    StringBuilder b = new StringBuilder();
    for (List<String> cycle : cycles) {
      b.append("\npackages that depend on each other: ").append(String.join(", ", cycle)).append('\n');
      for (String from : cycle) {
        dependenciesOf(from).forEach((to, seen) -> {
          if (cycle.contains(to)) {
            b.append("  ").append(from).append(" -> ").append(to).append(": ").append(seen.file()).append(": ")
                .append(seen.line()).append('\n');
          }
        });
      }
    }
    return b.toString();
  }

  /**
   * Tarjan's strongly connected components of a directed graph, those of two or more nodes (a node naming itself
   * is no cycle here: a package may use its own classes). Nodes only named as targets count too.
   */
  static List<List<String>> stronglyConnected(Map<String, ? extends Collection<String>> graph) {
    Tarjan t = new Tarjan(graph);
    Set<String> nodes = new TreeSet<>(graph.keySet());
    graph.values().forEach(nodes::addAll);
    for (String n : nodes) {
      if (!t.index.containsKey(n)) {
        t.visit(n);
      }
    }
    t.found.sort((a, b) -> a.get(0).compareTo(b.get(0)));
    return t.found;
  }

  private static final class Tarjan {
    final Map<String, ? extends Collection<String>> graph;
    final Map<String, Integer> index = new HashMap<>();
    final Map<String, Integer> low = new HashMap<>();
    final List<String> stack = new ArrayList<>();
    final Set<String> onStack = new TreeSet<>();
    final List<List<String>> found = new ArrayList<>();

    Tarjan(Map<String, ? extends Collection<String>> graph) {
      this.graph = graph;
    }

    void visit(String v) {
      index.put(v, index.size());
      low.put(v, index.get(v));
      stack.add(v);
      onStack.add(v);
      Collection<String> next = graph.get(v);
      for (String w : next == null ? List.<String>of() : next) {
        if (!index.containsKey(w)) {
          visit(w);
          low.put(v, Math.min(low.get(v), low.get(w)));
        } else if (onStack.contains(w)) {
          low.put(v, Math.min(low.get(v), index.get(w)));
        }
      }
      if (low.get(v).equals(index.get(v))) {
        Set<String> component = new TreeSet<>();
        String w;
        do {
          w = stack.remove(stack.size() - 1);
          onStack.remove(w);
          component.add(w);
        } while (!w.equals(v));
        if (component.size() > 1) {
          found.add(List.copyOf(component));
        }
      }
    }
  }

  /**
   * The text with comments, string and character literals and text blocks replaced by spaces (line breaks kept, so
   * that positions keep their lines).
   */
  static String codeOnly(String text) {
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    int n = text.length();
    while (i < n) {
      int end;
      if (text.startsWith("//", i)) {
        end = text.indexOf('\n', i);
        end = end < 0 ? n : end;
      } else if (text.startsWith("/*", i)) {
        end = text.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
      } else if (text.startsWith("\"\"\"", i)) {
        end = closing(text, i + 3, "\"\"\"");
      } else if (text.charAt(i) == '"' || text.charAt(i) == '\'') {
        end = closing(text, i + 1, String.valueOf(text.charAt(i)));
      } else {
        out.append(text.charAt(i++));
        continue;
      }
      for (; i < end; i++) {
        out.append(text.charAt(i) == '\n' ? '\n' : ' ');
      }
    }
    return out.toString();
  }

  /** Where a literal opened before {@code from} ends: just past its unescaped closing delimiter. */
  private static int closing(String text, int from, String delimiter) {
    int i = from;
    while (i < text.length()) {
      if (text.charAt(i) == '\\') {
        i += 2;
      } else if (text.startsWith(delimiter, i)) {
        return i + delimiter.length();
      } else {
        i++;
      }
    }
    return text.length();
  }

  private static String lineAt(String code, int at) {
    int start = code.lastIndexOf('\n', at) + 1;
    int end = code.indexOf('\n', at);
    return code.substring(start, end < 0 ? code.length() : end).trim();
  }

  private static List<Path> javaFiles(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
