package io.maas.config.tfserving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.config.ConfigLoader;
import io.maas.config.MaasConfig;
import io.maas.config.ModelBasePath;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tensorflow_model_server's flags, mapped onto the typed configuration through the one loader. */
class TfServingCommandLineTest {
  private final Map<String, String> env = new HashMap<>();

  @TempDir
  Path dir;

  private MaasConfig load(String... args) {
    return new ConfigLoader(env, new HashMap<>()).loadOnce(TfServingCommandLine.parse(args).commandLine());
  }

  @Test
  void theDocumentsCommandServesOneModelWithRestAndGrpcOnItsPort() {
    MaasConfig c = load("--port=9000", "--model_name=my_model", "--model_base_path=/path/to/save/model");
    assertEquals(9000, c.gateway().httpPort());
    assertTrue(c.gateway().grpcOnHttpPort());
    assertEquals(List.of(new ModelBasePath("my_model", Path.of("/path/to/save/model"))), c.worker().models());
    assertEquals("127.0.0.1", c.gateway().host());
    assertFalse(c.tenancy().authEnabled());
    assertEquals(0, c.tenancy().adminPort());
    assertTrue(c.cluster().name().startsWith("tfserving-"), c.cluster().name());
    assertEquals(List.of(), c.cluster().members());
  }

  @Test
  void flagsMayTakeTheirValueAsTheNextArgument() {
    MaasConfig c = load("--port", "9001", "--model_base_path", "/m");
    assertEquals(9001, c.gateway().httpPort());
    assertEquals(List.of(new ModelBasePath("default", Path.of("/m"))), c.worker().models());
  }

  @Test
  void withoutPortFlagsBothEdgesShareTfServingsDefaultPort() {
    MaasConfig c = load("--model_base_path=/m");
    assertEquals(TfServingCommandLine.DEFAULT_PORT, c.gateway().httpPort());
    assertTrue(c.gateway().grpcOnHttpPort());
  }

  @Test
  void restApiPortMovesRestToAPortOfItsOwnAndLeavesGrpcOnPort() {
    MaasConfig c = load("--port=8500", "--rest_api_port=8501", "--model_base_path=/m");
    assertEquals(8501, c.gateway().httpPort());
    assertEquals(8500, c.gateway().grpcPort());
    assertFalse(c.gateway().grpcOnHttpPort());
  }

  @Test
  void aRestApiPortOfZeroOrEqualToPortShares() {
    assertTrue(load("--port=9000", "--rest_api_port=0", "--model_base_path=/m").gateway().grpcOnHttpPort());
    assertTrue(load("--port=9000", "--rest_api_port=9000", "--model_base_path=/m").gateway().grpcOnHttpPort());
  }

  @Test
  void maasFlagsMixInAndTheUsualConfigurationOverridesTheModesDefaults() throws IOException {
    assertTrue(load("--model_base_path=/m", "--api-keys").tenancy().authEnabled());
    assertEquals("0.0.0.0", load("--model_base_path=/m", "--host", "0.0.0.0").gateway().host());
    Path file = dir.resolve("maas.yaml");
    Files.writeString(file, "gateway: {auth_enabled: true, admin_port: 8102}\ncluster: {name: mine}\n");
    MaasConfig c = load("--config", file.toString(), "--model_base_path=/m");
    assertTrue(c.tenancy().authEnabled());
    assertEquals(8102, c.tenancy().adminPort());
    assertEquals("mine", c.cluster().name());
    env.put("MAAS_GATEWAY_HOST", "10.0.0.5");
    assertEquals("10.0.0.5", load("--model_base_path=/m").gateway().host());
  }

  @Test
  void timeoutAndThreadFlagsMapToTheirMaasSettings() {
    MaasConfig c = load("--model_base_path=/m", "--rest_api_timeout_in_ms=1500",
        "--tensorflow_intra_op_parallelism=1", "--tensorflow_inter_op_parallelism=2");
    assertEquals(1500, c.gateway().requestTimeoutMillis());
    assertEquals(1, c.worker().slots().get(0).session().intraOpThreads());
    assertEquals(2, c.worker().slots().get(0).session().interOpThreads());
  }

  @Test
  void flagsMaasDoesNotNeedAreAcceptedWithAWarning() {
    TfServingCommandLine cli = TfServingCommandLine.parse("--model_base_path=/m", "--enable_model_warmup=true",
        "--rest_api_num_threads=8", "--enable_batching=false", "--some_future_flag");
    assertEquals(List.of(
        "--enable_model_warmup is a tensorflow_model_server flag maas does not need: ignored",
        "--rest_api_num_threads is a tensorflow_model_server flag maas does not need: ignored",
        "--some_future_flag is a tensorflow_model_server flag maas does not need: ignored"), cli.warnings());
  }

  @Test
  void pollingIsAcceptedWithAWarningThatModelsLoadOnce() {
    assertEquals(List.of(), TfServingCommandLine.parse("--model_base_path=/m", "--file_system_poll_wait_seconds=0")
        .warnings());
    List<String> warnings = TfServingCommandLine.parse("--model_base_path=/m", "--file_system_poll_wait_seconds=1")
        .warnings();
    assertEquals(1, warnings.size());
    assertTrue(warnings.get(0).startsWith("--file_system_poll_wait_seconds=1: maas loads the models once, at start"),
        warnings.get(0));
  }

  @Test
  void flagsMaasCannotHonourAreRefusedSayingWhatToDoInstead() {
    assertTrue(refusal("--model_base_path=/m", "--enable_batching").contains("dynamic_batching section"));
    assertTrue(refusal("--model_base_path=/m", "--batching_parameters_file=b.txt").contains("dynamic_batching"));
    assertTrue(refusal("--model_base_path=/m", "--grpc_socket_path=/tmp/s").startsWith("--grpc_socket_path is not supported"));
    assertTrue(refusal("--model_base_path=/m", "--monitoring_config_file=m.txt").contains("GET /metrics"));
  }

  @Test
  void badValuesAndMissingModelsAreRefusedNamingTheFlag() {
    assertEquals("--port must be a number, not 'nine'", refusal("--port=nine", "--model_base_path=/m"));
    assertEquals("--port must be a port number (0-65535), not 70000", refusal("--port=70000", "--model_base_path=/m"));
    assertTrue(refusal("--port=9000").startsWith("tensorflow_model_server's flags need --model_base_path"));
    assertTrue(refusal("--model_base_path=/m", "--model_config_file=/c").contains("give one"));
    assertTrue(refusal("--model_base_path=/m", "--model-repository", "/r").contains("give one"));
    assertTrue(refusal("gateway", "--model_base_path=/m").contains("standalone node"));
    assertEquals("--model_config_file " + dir.resolve("none.conf") + " cannot be read: " + dir.resolve("none.conf"),
        refusal("--model_config_file=" + dir.resolve("none.conf")));
  }

  @Test
  void aModelConfigFileServesEveryModelItLists() throws IOException {
    Path file = dir.resolve("models.config");
    Files.writeString(file, """
        model_config_list {
          config {
            name: 'my_model'
            base_path: '/models/my_model/'
            model_platform: 'tensorflow'
          }
          config {
            name: "other"
            base_path: "/models/other"
            model_version_policy { specific { versions: 1 versions: 3 } }
          }
        }
        """);
    MaasConfig c = load("--port=9000", "--model_config_file=" + file);
    assertEquals(List.of(
        new ModelBasePath("my_model", Path.of("/models/my_model/")),
        new ModelBasePath("other", Path.of("/models/other"),
            new JsonObject().put("specific", new JsonObject().put("versions", List.of(1L, 3L))))), c.worker().models());
  }

  @Test
  void onlyTfServingFlagsSelectTheDropIn() {
    assertTrue(TfServingCommandLine.appliesTo("--port=9000"));
    assertTrue(TfServingCommandLine.appliesTo("--model_base_path", "/m"));
    assertFalse(TfServingCommandLine.appliesTo("gateway", "--http-port", "9000", "--set", "gateway.http_port=1"));
  }

  private static String refusal(String... args) {
    return assertThrows(IllegalArgumentException.class, () -> TfServingCommandLine.parse(args)).getMessage();
  }

  @Test
  void sslConfigFileServesItsCertificateAndAsksGrpcClientsForTheirsWhenItVerifies(@TempDir Path dir) throws Exception {
    io.maas.tls.TestCertificates certs = io.maas.tls.TestCertificates.write(dir.resolve("tls"), List.of());
    String cert = Files.readString(certs.server());
    String key = Files.readString(certs.serverKey());
    String ca = Files.readString(certs.ca());
    // TF Serving's SSLConfig: PEM texts with \n escapes, or as adjacent strings
    Path plain = Files.writeString(dir.resolve("ssl.cfg"), "server_key: \"" + key.replace("\n", "\\n") + "\"\n"
        + "server_cert: " + String.join(" ", cert.lines().map(l -> "'" + l + "\\n'").toList()) + "\n");
    JsonObject tls = TfServingCommandLine.parse("--model_base_path=/m", "--ssl_config_file=" + plain)
        .commandLine().overrides().getJsonObject("gateway").getJsonObject("tls");
    assertEquals(cert.strip(), Files.readString(Path.of(tls.getString("cert_file"))).strip());
    assertEquals(key.strip(), Files.readString(Path.of(tls.getString("key_file"))).strip());
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(Path.of(tls.getString("key_file")))));
    assertEquals(null, tls.getValue("grpc_client_auth"));

    Path verifying = Files.writeString(dir.resolve("verify.cfg"), Files.readString(plain)
        + "custom_ca: \"" + ca.replace("\n", "\\n") + "\"\nclient_verify: true\n");
    assertTrue(refusal("--model_base_path=/m", "--ssl_config_file=" + verifying).contains("--rest_api_port"));
    tls = TfServingCommandLine.parse("--model_base_path=/m", "--port=8500", "--rest_api_port=8501",
        "--ssl_config_file=" + verifying).commandLine().overrides().getJsonObject("gateway").getJsonObject("tls");
    assertEquals("required", tls.getString("grpc_client_auth"));
    assertEquals(ca.strip(), Files.readString(Path.of(tls.getString("client_ca_file"))).strip());

    Path noKey = Files.writeString(dir.resolve("nokey.cfg"), "server_cert: 'x'\n");
    assertTrue(refusal("--model_base_path=/m", "--ssl_config_file=" + noKey).endsWith("needs server_key and server_cert (PEM texts)"));
    Path odd = Files.writeString(dir.resolve("odd.cfg"), "server_pem: 'x'\n");
    assertTrue(refusal("--model_base_path=/m", "--ssl_config_file=" + odd).contains("server_pem is not a field"));
  }
}
