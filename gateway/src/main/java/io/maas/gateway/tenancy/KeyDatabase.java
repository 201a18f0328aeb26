package io.maas.gateway.tenancy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * This gateway's durable copy of keys and usage: an embedded H2 database ({@code <dataDir>/maas-keys.mv.db})
 * over JDBC. Blocking: call it from worker threads only. One process per data directory (H2 locks the file).
 */
final class KeyDatabase implements AutoCloseable {
  private final Connection connection;

  KeyDatabase(Path dataDir) throws Exception {
    Files.createDirectories(dataDir);
    connection = DriverManager.getConnection("jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("maas-keys")
        // maas closes it itself, after the last usage flush of its shutdown hook
        + ";DB_CLOSE_ON_EXIT=FALSE", "sa", "");
    try (Statement s = connection.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS api_keys (id VARCHAR(64) PRIMARY KEY, json VARCHAR(100000) NOT NULL)");
      s.execute("CREATE TABLE IF NOT EXISTS usage (id VARCHAR(64), name VARCHAR(128), v BIGINT, PRIMARY KEY (id, name))");
    }
  }

  synchronized void putKey(String id, String json) throws SQLException {
    try (PreparedStatement p = connection.prepareStatement("MERGE INTO api_keys (id, json) KEY (id) VALUES (?, ?)")) {
      p.setString(1, id);
      p.setString(2, json);
      p.executeUpdate();
    }
  }

  synchronized Map<String, String> keys() throws SQLException {
    Map<String, String> out = new HashMap<>();
    try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery("SELECT id, json FROM api_keys")) {
      while (r.next()) {
        out.put(r.getString(1), r.getString(2));
      }
    }
    return out;
  }

  synchronized void putUsage(Map<String, HashMap<String, Long>> usage) throws SQLException {
    try (PreparedStatement p = connection.prepareStatement("MERGE INTO usage (id, name, v) KEY (id, name) VALUES (?, ?, ?)")) {
      for (Map.Entry<String, HashMap<String, Long>> e : usage.entrySet()) {
        for (Map.Entry<String, Long> c : e.getValue().entrySet()) {
          p.setString(1, e.getKey());
          p.setString(2, c.getKey());
          p.setLong(3, c.getValue());
          p.addBatch();
        }
      }
      p.executeBatch();
    }
  }

  synchronized Map<String, HashMap<String, Long>> usage() throws SQLException {
    Map<String, HashMap<String, Long>> out = new HashMap<>();
    try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery("SELECT id, name, v FROM usage")) {
      while (r.next()) {
        out.computeIfAbsent(r.getString(1), k -> new HashMap<>()).put(r.getString(2), r.getLong(3));
      }
    }
    return out;
  }

  @Override
  public synchronized void close() throws SQLException {
    connection.close();
  }
}
