package io.maas.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * How this process joins the Hazelcast cluster.
 *
 * @param name the cluster name: only members with the same name join each other
 * @param host the interface Hazelcast and the event bus bind to
 * @param port Hazelcast's first port (it tries the next ones if taken)
 * @param members the TCP-IP member list to join through
 * @param configFile an optional Hazelcast XML/YAML file replacing the built-in network settings
 *     (e.g. for Kubernetes discovery); "" for none
 */
public record ClusterConfig(String name, String host, int port, List<String> members, String configFile) {

  public ClusterConfig {
    members = List.copyOf(members);
  }

  static ClusterConfig fromJson(JsonObject j) {
    Object m = j.getValue("members");
    List<String> members = m instanceof String s
        ? List.of(s.split(",")).stream().map(String::trim).filter(x -> !x.isEmpty()).toList()
        : ((JsonArray) m).stream().map(Object::toString).toList();
    return new ClusterConfig(
        j.getString("name"), j.getString("host"), ConfigValues.port(j, "cluster", "port"), members, j.getString("config_file", ""));
  }
}
