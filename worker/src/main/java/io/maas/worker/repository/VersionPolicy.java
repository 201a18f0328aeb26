package io.maas.worker.repository;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which versions of a model to serve (Triton's {@code version_policy}): the latest N (default 1), all,
 * or a specific list.
 */
public sealed interface VersionPolicy {

  /** Selects, from the versions found on disk, those to load. */
  List<Long> select(List<Long> available);

  /** Triton's JSON form: {@code {latest: {num_versions: N}}}, {@code {all: {}}} or {@code {specific: {versions}}}. */
  JsonObject toJson();

  record Latest(int numVersions) implements VersionPolicy {
    @Override
    public List<Long> select(List<Long> available) {
      return available.stream().sorted(Comparator.reverseOrder()).limit(numVersions).sorted().toList();
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("latest", new JsonObject().put("num_versions", numVersions));
    }
  }

  record All() implements VersionPolicy {
    @Override
    public List<Long> select(List<Long> available) {
      return available.stream().sorted().toList();
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("all", new JsonObject());
    }
  }

  record Specific(Set<Long> versions) implements VersionPolicy {
    @Override
    public List<Long> select(List<Long> available) {
      return available.stream().filter(versions::contains).sorted().toList();
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("specific", new JsonObject().put("versions", new JsonArray(versions.stream().sorted().toList())));
    }
  }

  VersionPolicy DEFAULT = new Latest(1);

  /** Parses {@code {latest: {num_versions: N}}}, {@code {all: {}}} or {@code {specific: {versions: [..]}}}. */
  static VersionPolicy fromJson(JsonObject json) {
    if (json == null || json.isEmpty()) {
      return DEFAULT;
    }
    if (json.containsKey("latest")) {
      int n = json.getJsonObject("latest", new JsonObject()).getInteger("num_versions", 1);
      if (n < 1) {
        throw new IllegalArgumentException("version_policy.latest.num_versions must be at least 1");
      }
      return new Latest(n);
    }
    if (json.containsKey("all")) {
      return new All();
    }
    if (json.containsKey("specific")) {
      JsonArray v = json.getJsonObject("specific").getJsonArray("versions", new JsonArray());
      return new Specific(v.stream().map(o -> Long.parseLong(o.toString())).collect(Collectors.toUnmodifiableSet()));
    }
    throw new IllegalArgumentException("version_policy must be latest, all or specific, not " + json.fieldNames());
  }
}
