package io.maas.gateway.stats;

import java.util.Arrays;
import java.util.List;

/** A Prometheus text scrape, read by tests: sample lines, and sums of samples. */
final class Scrape {
  private final List<String> samples;

  Scrape(String text) {
    samples = text.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
  }

  /** Sample lines that start with the prefix. */
  List<String> lines(String prefix) {
    return samples.stream().filter(l -> l.startsWith(prefix)).toList();
  }

  /** The sum of the samples of a metric (exact name) whose labels contain every fragment. */
  double sum(String metric, String... labelFragments) {
    return samples.stream()
        .filter(l -> l.startsWith(metric + "{") || l.startsWith(metric + " "))
        .filter(l -> Arrays.stream(labelFragments).allMatch(l::contains))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }
}
