package io.maas.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  private Vertx vertx;
  private final Map<String, String> env = new HashMap<>();
  private final Map<Object, Object> props = new HashMap<>();

  @TempDir
  Path dir;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private MaasConfig load(String... args) {
    return new ConfigLoader(env, props).load(vertx, CommandLine.parse(args)).await();
  }

  @Test
  void defaultsComeFromConfMaasYaml() {
    MaasConfig c = load();
    assertEquals(8000, c.gateway().httpPort());
    assertEquals("0.0.0.0", c.gateway().host());
    assertEquals(67108864L, c.gateway().maxBodyBytes());
    assertEquals(30000L, c.gateway().requestTimeoutMillis());
    assertEquals(Path.of("conf/models"), c.worker().modelRepository());
    assertEquals(1, c.worker().slots().size());
    assertEquals("cpu", c.worker().slots().get(0).device());
    assertEquals(new SessionConfig(2, 1, "all"), c.worker().slots().get(0).session());
    assertEquals(1000L, c.worker().announceIntervalMillis());
    assertEquals(0, c.worker().defaultMaxBatchSize());
    assertEquals(256, c.worker().maxQueueSize());
    assertEquals("maas", c.cluster().name());
    assertEquals(5701, c.cluster().port());
    assertEquals(List.of("127.0.0.1"), c.cluster().members());
    assertEquals("", c.cluster().configFile());
    assertEquals(new GatewayConfig.ConnectionLimits(360, 10, 120, 1024, 100), c.gateway().connections());
    assertEquals(new GatewayConfig.BodyLimits(GatewayConfig.BodyLimits.AUTO, 30), c.gateway().bodies());
  }

  @Test
  void edgeLimitsAreKeysLikeAnyOther() {
    GatewayConfig g = load("--set", "gateway.header_timeout_s=3", "--set", "gateway.keepalive_idle_s=30",
        "--set", "gateway.max_connections=50", "--set", "gateway.http2_max_concurrent_streams=8",
        "--set", "gateway.body_memory_budget_bytes=134217728", "--set", "gateway.body_read_timeout_s=5").gateway();
    assertEquals(new GatewayConfig.ConnectionLimits(360, 3, 30, 50, 8), g.connections());
    assertEquals(new GatewayConfig.BodyLimits(134217728, 5), g.bodies());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> load("--set", "gateway.body_memory_budget_bytes=1000"));
    assertTrue(e.getMessage().contains("gateway.body_memory_budget_bytes"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> load("--set", "gateway.max_connections=0"));
    assertTrue(e.getMessage().contains("gateway.max_connections"), e.getMessage());
  }

  @Test
  void theAutomaticBodyBudgetIsAnEighthOfTheHeapAndHoldsOneLargestBody() {
    GatewayConfig.BodyLimits auto = GatewayConfig.BodyLimits.DEFAULT;
    assertEquals(80L << 20, auto.budget(640L << 20, 64L << 20));
    assertEquals(64L << 20, auto.budget(256L << 20, 64L << 20), "at least one body of the largest size");
    assertEquals(100, new GatewayConfig.BodyLimits(100, 30).budget(1L << 40, 10), "a configured budget is kept");
  }

  @Test
  void configFileOverridesOneKeyAndKeepsItsSiblings() throws Exception {
    Path file = dir.resolve("override.yaml");
    Files.writeString(file, "gateway:\n  http_port: 9000\nworker:\n  session:\n    intra_op_threads: 7\n");
    MaasConfig c = load("--config", file.toString());
    assertEquals(9000, c.gateway().httpPort());
    assertEquals("0.0.0.0", c.gateway().host());
    assertEquals(16777216L, c.gateway().maxTensorElements());
    assertEquals(new SessionConfig(7, 1, "all"), c.worker().slots().get(0).session());
    assertEquals(Path.of("conf/models"), c.worker().modelRepository());
  }

  @Test
  void jsonConfigFileIsReadAsJson() throws Exception {
    Path file = dir.resolve("override.json");
    Files.writeString(file, "{\"cluster\": {\"name\": \"blue\"}}");
    MaasConfig c = load("--config", file.toString());
    assertEquals("blue", c.cluster().name());
    assertEquals(5701, c.cluster().port());
  }

  @Test
  void aConfigFileThatCannotBeReadIsNamed() {
    Path missing = dir.resolve("missing.yaml");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> load("--config", missing.toString()));
    assertTrue(e.getMessage().startsWith("cannot read the configuration file " + missing + ": "), e.getMessage());
  }

  @Test
  void environmentOverridesTheConfigFile() throws Exception {
    Path file = dir.resolve("c.yaml");
    Files.writeString(file, "gateway:\n  http_port: 9000\n");
    env.put("MAAS_GATEWAY_HTTP_PORT", "9100");
    env.put("UNRELATED_VARIABLE", "x");
    MaasConfig c = load("--config", file.toString());
    assertEquals(9100, c.gateway().httpPort());
    assertEquals("0.0.0.0", c.gateway().host());
  }

  @Test
  void modelRepositoryAliasSetsTheWorkerRepository() {
    env.put("MAAS_MODEL_REPOSITORY", "/srv/models");
    assertEquals(Path.of("/srv/models"), load().worker().modelRepository());
  }

  @Test
  void adminTokenVariableIsAnAliasOfTheConfigKey() {
    assertEquals("", load().tenancy().adminToken());
    env.put("MAAS_ADMIN_TOKEN", "s3cret-admin");
    assertEquals("s3cret-admin", load().tenancy().adminToken());
  }

  @Test
  void systemPropertyOverridesTheEnvironment() {
    env.put("MAAS_GATEWAY_HTTP_PORT", "9100");
    props.put("maas.gateway.http_port", "9200");
    props.put("unrelated.property", "x");
    assertEquals(9200, load().gateway().httpPort());
  }

  @Test
  void flagOverridesTheSystemProperty() {
    env.put("MAAS_GATEWAY_HTTP_PORT", "9100");
    props.put("maas.gateway.http_port", "9200");
    assertEquals(9300, load("--http-port", "9300").gateway().httpPort());
  }

  @Test
  void setFlagOverridesANestedKey() {
    MaasConfig c = load("worker", "--set", "worker.session.optimization_level=basic");
    assertEquals("basic", c.worker().slots().get(0).session().optimizationLevel());
    assertEquals(2, c.worker().slots().get(0).session().intraOpThreads());
  }

  @Test
  void clusterMembersFlagGivesAList() {
    assertEquals(List.of("a", "b"), load("--cluster-members", "a,b").cluster().members());
  }

  @Test
  void workerSlotsVariableGivesTwoSlots() {
    env.put("MAAS_WORKER_SLOTS", "cpu,cuda:1");
    List<SlotConfig> slots = load().worker().slots();
    assertEquals(2, slots.size());
    assertEquals("cpu", slots.get(0).device());
    assertEquals(List.of(), slots.get(0).executionProviders());
    assertEquals("cuda:1", slots.get(1).device());
    assertTrue(slots.get(1).isGpu());
    assertEquals(1, slots.get(1).deviceId());
    assertEquals(List.of("cuda"), slots.get(1).executionProviders());
    assertEquals(new SessionConfig(2, 1, "all"), slots.get(1).session());
  }

  @Test
  void outOfRangePortFailsNamingTheKey() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> load("--http-port", "70000"));
    assertTrue(e.getMessage().contains("http_port"), e.getMessage());
    assertTrue(e.getMessage().contains("70000"), e.getMessage());
  }

  @Test
  void unknownFlagFailsNamingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> load("--bogus", "1"));
    assertTrue(e.getMessage().contains("--bogus"), e.getMessage());
  }

  @Test
  void missingFlagValueFailsNamingTheFlag() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> load("--http-port"));
    assertTrue(e.getMessage().contains("missing value after --http-port"), e.getMessage());
  }

  @Test
  void hedgingIsOffByDefaultAndItsKeysComeFromTheUsualStores() {
    assertEquals(HedgeConfig.DEFAULT, load().gateway().hedge());
    env.put("MAAS_GATEWAY_HEDGE_ENABLED", "true");
    env.put("MAAS_GATEWAY_HEDGE_FACTOR", "2.5"); // text from the environment: read as a number
    props.put("maas.gateway.hedge_percentile", "99.9");
    HedgeConfig h = load("--set", "gateway.hedge_max_delay_ms=400").gateway().hedge();
    assertEquals(new HedgeConfig(true, 99.9, 2.5, 20, 400, 5, 10), h);
  }

  @Test
  void badHedgeSettingsFailNamingTheKey() {
    for (String bad : new String[] {"gateway.hedge_percentile=100", "gateway.hedge_factor=fast",
        "gateway.hedge_min_delay_ms=0", "gateway.hedge_budget_percent=0", "gateway.hedge_enabled=maybe"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> load("--set", bad));
      String key = bad.substring("gateway.".length(), bad.indexOf('='));
      assertTrue(e.getMessage().contains(key), bad + ": " + e.getMessage());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> load("--set", "gateway.hedge_min_delay_ms=500", "--set", "gateway.hedge_max_delay_ms=100"));
    assertTrue(e.getMessage().contains("hedge_max_delay_ms"), e.getMessage());
  }

  @Test
  void badOptimizationLevelFailsNamingTheKey() {
    props.put("maas.worker.session.optimization_level", "fastest");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, this::load);
    assertTrue(e.getMessage().contains("optimization_level"), e.getMessage());
    assertTrue(e.getMessage().contains("fastest"), e.getMessage());
  }

  @Test
  void modeWordIsParsed() {
    CommandLine cli = CommandLine.parse("gateway", "--config", "x.yaml");
    assertEquals("gateway", cli.mode());
    assertEquals("x.yaml", cli.configFile());
  }

  @Test
  void tlsIsOffByDefaultAndItsNestedKeysComeFromTheEnvironmentAndFlags() {
    MaasConfig plain = load();
    assertEquals(ServerTls.OFF, plain.gateway().tls());
    assertEquals(ClusterTls.OFF, plain.cluster().tls());
    env.put("MAAS_GATEWAY_TLS_CERT_FILE", "/etc/maas/server.pem");
    env.put("MAAS_GATEWAY_TLS_KEY_FILE", "/etc/maas/server-key.pem");
    env.put("MAAS_CLUSTER_TLS_CA_FILE", "/etc/maas/ca.pem");
    MaasConfig tls = load("--set", "cluster.tls.cert_file=m.pem", "--set", "cluster.tls.key_file=m-key.pem",
        "--set", "gateway.tls.client_ca_file=/etc/maas/ca.pem", "--set", "gateway.tls.grpc_client_auth=required");
    assertEquals("/etc/maas/server.pem", tls.gateway().tls().certFile());
    assertEquals("/etc/maas/server-key.pem", tls.gateway().tls().keyFile());
    assertEquals(io.vertx.core.http.ClientAuth.REQUIRED, tls.gateway().tls().grpcClientAuth());
    assertEquals(io.vertx.core.http.ClientAuth.NONE, tls.gateway().tls().adminClientAuth());
    assertEquals(new ClusterTls("m.pem", "m-key.pem", "/etc/maas/ca.pem"), tls.cluster().tls());
  }

  @Test
  void halfATlsSettingFailsNamingTheKeys() {
    env.put("MAAS_GATEWAY_TLS_CERT_FILE", "/etc/maas/server.pem");
    assertTrue(assertThrows(IllegalArgumentException.class, this::load).getMessage()
        .contains("gateway.tls.cert_file and gateway.tls.key_file go together"));
    env.clear();
    assertTrue(assertThrows(IllegalArgumentException.class, () -> load("--set", "cluster.tls.ca_file=ca.pem"))
        .getMessage().contains("cluster.tls.cert_file, key_file and ca_file go together"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> load("--set", "gateway.tls.cert_file=a",
        "--set", "gateway.tls.key_file=b", "--set", "gateway.tls.admin_client_auth=maybe")).getMessage()
        .contains("gateway.tls.admin_client_auth must be none, request or required, not maybe"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> load("--set", "gateway.tls.cert_file=a",
        "--set", "gateway.tls.key_file=b", "--set", "gateway.tls.admin_client_auth=required")).getMessage()
        .contains("gateway.tls.client_ca_file must name"));
  }

  @Test
  void sessionKeysNestFromTheEnvironment() {
    env.put("MAAS_WORKER_SESSION_INTRA_OP_THREADS", "1");
    assertEquals(1, load().worker().slots().get(0).session().intraOpThreads());
  }
}
