package io.maas.gateway.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.model.ModelPolicy;
import io.maas.model.ModelReadyState;
import io.maas.model.ModelStatus;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The version a request is served by: numbers, labels, traffic weights (seeded), and the policy they come from. */
class VersionChoiceTest {
  private final Map<String, ModelView> views = new HashMap<>();
  private final ModelPolicies policies = new ModelPolicies(name -> Optional.ofNullable(views.get(name)));
  private final VersionChoice choice = new VersionChoice(name -> Optional.ofNullable(views.get(name)), policies,
      new SplittableRandom(20261130));

  private static ModelStatus status(String version, ModelReadyState state, String config) {
    return new ModelStatus("m", version, state, "", "onnxruntime_onnx", 0, List.of(), List.of(), null,
        new JsonObject(config));
  }

  private static ModelStatus ready(String version, String config) {
    return status(version, ModelReadyState.READY, config);
  }

  private void model(ModelStatus... statuses) {
    views.put("m", new ModelView("m", List.of(statuses)));
  }

  private Map<String, Integer> draws(int n, boolean includeNotReady) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      counts.merge(choice.choose("m", "", includeNotReady), 1, Integer::sum);
    }
    return counts;
  }

  private static ModelPolicy traffic(String json) {
    return ModelPolicy.fromJson(new JsonObject().put("traffic", new JsonObject(json)));
  }

  @Test
  void withoutWeightsAnUnversionedRequestGetsTheHighestReadyVersion() {
    model(ready("1", "{}"), ready("2", "{}"), status("3", ModelReadyState.LOADING, "{}"));
    assertEquals("2", choice.choose("m", "", false));
    assertEquals("3", choice.choose("m", "3", false), "a number names itself, whatever its state");
  }

  @Test
  void weightsSplitUnversionedRequestsAndLeaveNamedOnesAlone() {
    model(ready("1", "{}"), ready("2", "{}"));
    policies.wanted("m", traffic("{\"2\": 10, \"1\": 90}"));
    Map<String, Integer> counts = draws(10_000, false);
    int canary = counts.getOrDefault("2", 0);
    assertTrue(canary >= 800 && canary <= 1200, "10 % +- 2 pp of 10,000: " + counts);
    assertEquals(10_000, canary + counts.getOrDefault("1", 0), counts.toString());
    assertEquals("1", choice.choose("m", "1", false));
  }

  @Test
  void theSameSeedPicksTheSameSequence() {
    model(ready("1", "{}"), ready("2", "{}"), ready("3", "{}"));
    policies.wanted("m", traffic("{\"1\": 1, \"2\": 1, \"3\": 1}"));
    VersionChoice again = new VersionChoice(name -> Optional.ofNullable(views.get(name)), policies,
        new SplittableRandom(20261130));
    for (int i = 0; i < 200; i++) {
      assertEquals(again.choose("m", "", false), choice.choose("m", "", false), "draw " + i);
    }
  }

  @Test
  void weightsRenormaliseOverTheReadyVersionsAndFallBackToTheHighestReady() {
    model(ready("1", "{}"), status("2", ModelReadyState.LOADING, "{}"), ready("3", "{}"));
    policies.wanted("m", traffic("{\"1\": 50, \"2\": 50}"));
    assertEquals(Map.of("1", 1_000), draws(1_000, false), "2 is not ready: all its share goes to 1");
    Map<String, Integer> placed = draws(1_000, true);
    assertTrue(placed.getOrDefault("2", 0) > 350 && placed.getOrDefault("1", 0) > 350,
        "with includeNotReady the pick is over every weighted version: " + placed);

    policies.wanted("m", traffic("{\"2\": 100}"));
    assertEquals("3", choice.choose("m", "", false), "no weighted version ready: the highest ready one");
    assertEquals("2", choice.choose("m", "", true), "placement loads the weighted one on demand");
  }

  @Test
  void aVersionWeightedZeroGetsNothing() {
    model(ready("1", "{}"), ready("2", "{}"));
    policies.wanted("m", traffic("{\"1\": 0, \"2\": 7}"));
    assertEquals(Map.of("2", 500), draws(500, false));
  }

  @Test
  void includeNotReadyWithoutWeightsFallsOnTheHighestVersionHeldWhenNoneIsReady() {
    model(status("1", ModelReadyState.UNAVAILABLE, "{}"), status("4", ModelReadyState.UNAVAILABLE, "{}"));
    assertEquals("", choice.choose("m", "", false), "nothing ready: no choice");
    assertEquals("4", choice.choose("m", "", true));
  }

  @Test
  void labelsNameVersionsAndAnUnknownLabelIsNotFoundListingTheLabels() {
    model(ready("1", "{\"version_labels\": {\"stable\": 1, \"canary\": 2}}"), ready("2", "{}"));
    assertEquals("1", choice.choose("m", "stable", false));
    assertEquals("2", choice.named("m", "canary"));
    assertEquals("", choice.named("m", ""), "none named: no pick for routes meaning 'any version'");
    MaasException e = assertThrows(MaasException.class, () -> choice.choose("m", "beta", false));
    assertEquals(ErrorCode.NOT_FOUND, e.code());
    assertEquals("unknown version label 'beta' of model 'm'; labels: [canary, stable]", e.getMessage());
    assertEquals(ErrorCode.NOT_FOUND,
        assertThrows(MaasException.class, () -> choice.choose("nope", "", false)).code());
  }

  @Test
  void theApisPolicyOverridesTheConfigurationsFieldByField() {
    model(ready("1", "{\"traffic\": {\"1\": 1}, \"version_labels\": {\"stable\": 1}}"), ready("2", "{}"));
    assertEquals("1", choice.choose("m", "", false), "the configuration's weights");
    policies.wanted("m", traffic("{\"2\": 1}"));
    assertEquals("2", choice.choose("m", "", false), "the API's weights replace them");
    assertEquals("1", choice.choose("m", "stable", false), "and its labels stay");
    assertEquals(Map.of("2", 1), policies.policyOf("m").traffic());
    policies.wanted("m", ModelPolicy.NONE);
    assertEquals("1", choice.choose("m", "", false), "nothing set: the configuration's again");
  }

  @Test
  void theEffectivePolicyIsWorkedOutOnceWhileNothingChanges() {
    model(ready("1", "{\"traffic\": {\"1\": 3}}"));
    ModelPolicy first = policies.policyOf("m");
    model(ready("1", "{\"traffic\": {\"1\": 3}, \"default_model_filename\": \"x.onnx\"}"));
    assertSame(first, policies.policyOf("m"), "a new announcement with the same sections");
    model(ready("1", "{\"traffic\": {\"1\": 4}}"));
    assertEquals(Map.of("1", 4), policies.policyOf("m").traffic());
  }

  @Test
  void aReadyVersionsConfigurationIsReadBeforeOthers() {
    model(status("2", ModelReadyState.LOADING, "{\"version_labels\": {\"x\": 2}}"),
        ready("1", "{\"version_labels\": {\"x\": 1}}"));
    assertEquals("1", choice.named("m", "x"));
  }

  @Test
  void requestedVersionsAreNumbersOrLabels() {
    assertEquals("", VersionChoice.requested(""));
    assertEquals("7", VersionChoice.requested("007"));
    assertEquals("canary", VersionChoice.requested("canary"));
    for (String bad : List.of("-1", "1.5", "1e3", "99999999999999999999", "a b", "_x")) {
      MaasException e = assertThrows(MaasException.class, () -> VersionChoice.requested(bad), bad);
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }
  }
}
