package io.maas.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.config.tfserving.TfServingCommandLine;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A key nobody reads stops the start, naming the key, where it was set and the nearest known key. */
class UnknownKeysTest {
  private Vertx vertx;
  private KnownKeys known;
  private final Map<String, String> env = new HashMap<>();
  private final Map<Object, Object> props = new HashMap<>();

  @TempDir
  Path dir;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    known = KnownKeys.bundled(vertx).await();
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private String refusal(String... args) {
    return assertThrows(IllegalArgumentException.class,
        () -> new ConfigLoader(env, props).load(vertx, CommandLine.parse(args)).await()).getMessage();
  }

  @Test
  void aMisspeltFlagKeyIsRefusedWithTheNearestKey() {
    assertEquals("unknown configuration key 'worker.max_queue_sise' (from the command line): did you mean"
        + " 'worker.max_queue_size'?", refusal("--set", "worker.max_queue_sise=3"));
  }

  @Test
  void aMisspeltVariableIsRefusedNamingTheVariable() {
    env.put("MAAS_WORKER_MAX_QUEUE_SISE", "3");
    assertEquals("unknown configuration key 'worker.max_queue_sise' (from MAAS_WORKER_MAX_QUEUE_SISE): did you mean"
        + " 'worker.max_queue_size'?", refusal());
  }

  @Test
  void aMisspeltNestedVariableIsRefusedWithTheNestedKey() {
    env.put("MAAS_WORKER_SESSION_INTRA_OP_THREAD", "3");
    assertEquals("unknown configuration key 'worker.session_intra_op_thread' (from MAAS_WORKER_SESSION_INTRA_OP_THREAD):"
        + " did you mean 'worker.session.intra_op_threads'?", refusal());
  }

  @Test
  void variablesOutsideTheSectionsAreNotConfiguration() throws Exception {
    env.put("MAAS_LOG_LEVEL", "DEBUG");
    env.put("MAAS_API_KEY", "k");
    props.put("maas.root", "/somewhere");
    assertEquals(8000, new ConfigLoader(env, props).load(vertx, CommandLine.parse()).await().gateway().httpPort());
  }

  @Test
  void aMisspeltSystemPropertyIsRefusedNamingIt() {
    props.put("maas.gateway.http_prot", "9000");
    assertEquals("unknown configuration key 'gateway.http_prot' (from system property maas.gateway.http_prot): did you"
        + " mean 'gateway.http_port'?", refusal());
  }

  @Test
  void aMisspeltKeyInTheConfigFileIsRefusedNamingTheFile() throws Exception {
    Path file = dir.resolve("c.yaml");
    Files.writeString(file, "gateway:\n  tls:\n    cert_fille: a.pem\n");
    assertEquals("unknown configuration key 'gateway.tls.cert_fille' (from " + file + "): did you mean"
        + " 'gateway.tls.cert_file'?", refusal("--config", file.toString()));
  }

  @Test
  void anUnknownSectionIsRefused() throws Exception {
    Path file = dir.resolve("c.yaml");
    Files.writeString(file, "metrics:\n  port: 9\n");
    assertEquals("unknown configuration key 'metrics' (from " + file + "); docs/configuration.md lists the keys",
        refusal("--config", file.toString()));
  }

  @Test
  void aSectionGivenAValueIsRefused() {
    env.put("MAAS_GATEWAY_TLS", "on");
    assertEquals("configuration key 'gateway.tls' (from MAAS_GATEWAY_TLS) is a section: set its keys, such as"
        + " 'gateway.tls.cert_file', not the value on", refusal());
  }

  @Test
  void aValueGivenKeysIsRefused() {
    String message = refusal("--set", "gateway.http_port={\"tcp\": 1}");
    assertTrue(message.startsWith("unknown configuration key 'gateway.http_port.tcp' (from the command line)"), message);
  }

  @Test
  void listEntriesCheckTheirOwnKeys() {
    assertEquals("unknown key 'intra_op_thread' in a worker.slots entry: did you mean 'intra_op_threads'?",
        refusal("--set", "worker.slots=[{\"device\": \"cpu\", \"intra_op_thread\": 1}]"));
    assertEquals("unknown key 'basepath' in a worker.models entry: did you mean 'base_path'?",
        refusal("--set", "worker.models=[{\"name\": \"m\", \"basepath\": \"/m\"}]"));
  }

  @Test
  void theTfServingDropInsDefaultsAreKnownKeys() {
    known.check(TfServingCommandLine.modeDefaults(), "the drop-in");
  }

  @Test
  void nothingNearIsSuggestedForAKeyFarFromEveryOther() {
    assertNull(known.nearest("something.else.entirely"));
    assertEquals("cluster.heartbeat_s", known.nearest("cluster.heartbeat_ms"));
  }

  /** The rule of the environment, for every key of conf/maas.yaml: a new nested section cannot be forgotten. */
  @Test
  void everyKeyAtAnyDepthIsSetByItsDottedPathInUpperCase() {
    assertTrue(known.sections().containsAll(java.util.List.of("gateway.tls", "worker.session", "cluster.tls")),
        known.sections().toString());
    for (String key : known.leaves()) {
      String variable = "MAAS_" + key.toUpperCase(java.util.Locale.ROOT).replace('.', '_');
      assertEquals(key, ConfigKeys.keyOfVariable(variable, known), variable);
    }
  }

  @Test
  void twoKeysThatOneVariableWouldSetAreRefused() {
    JsonObject clash = new JsonObject().put("gateway", new JsonObject().put("tls_cert", 1)
        .put("tls", new JsonObject().put("cert", 2)));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> KnownKeys.of(clash));
    assertTrue(e.getMessage().contains("MAAS_GATEWAY_TLS_CERT"), e.getMessage());
  }
}
