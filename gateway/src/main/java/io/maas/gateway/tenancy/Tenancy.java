package io.maas.gateway.tenancy;

import com.hazelcast.core.HazelcastInstance;
import io.maas.config.TenancyConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway's API keys: the cluster-wide {@link KeyStore}, the {@link Admission} step every edge uses, and
 * what the key API does ({@link KeyAdmin}; its web form, {@code http/admin/AdminApi}, is mounted on the gateway's
 * admin server). On first start with an empty store it creates one key (all models, 100 requests/s,
 * burst 100) and writes it to {@code <data_dir>/initial-api-key}; without a configured admin token it writes a
 * generated one to {@code <data_dir>/admin-token}. Both files are 0600; logs name the files, never the secrets.
 */
public final class Tenancy {
  private static final Logger LOG = LoggerFactory.getLogger(Tenancy.class);
  public static final String INITIAL_KEY_FILE = "initial-api-key";
  public static final String ADMIN_TOKEN_FILE = "admin-token";

  /** How often leases past their time go back to the buckets. */
  private static final long SWEEP_MILLIS = 100;

  private final Vertx vertx;
  private final KeyStore store;
  private final RateLimiter limiter;
  private final UsageMeter usage;
  private final Admission admission;
  private final KeyAdmin keyAdmin;
  private final long sweepTimer;
  private final long publishTimer;

  private Tenancy(Vertx vertx, KeyStore store, String adminToken, SecureRandom random) {
    this.vertx = vertx;
    this.store = store;
    this.limiter = new RateLimiter(store, System::nanoTime, System::currentTimeMillis);
    this.usage = new UsageMeter(store::addUsage);
    AdminToken admin = new AdminToken(adminToken);
    this.admission = new Admission(store, limiter, usage, admin);
    this.keyAdmin = new KeyAdmin(store, usage, admin, random);
    this.sweepTimer = vertx.setPeriodic(SWEEP_MILLIS, t -> limiter.sweep());
    this.publishTimer = vertx.setPeriodic(UsageMeter.PUBLISH_MILLIS, t -> usage.publish());
  }

  /** Loads every key into this gateway's view before it completes: a gateway serves only once it knows them. */
  public static Future<Tenancy> start(Vertx vertx, HazelcastInstance hazelcast, TenancyConfig config) {
    SecureRandom random = new SecureRandom();
    KeyStore store = new KeyStore(vertx, hazelcast, config.dataDir());
    return store.start()
        .compose(v -> firstKey(vertx, store, config.dataDir(), random))
        .compose(v -> adminToken(vertx, config, random))
        .map(token -> new Tenancy(vertx, store, token, random))
        .recover(e -> store.stop().transform(x -> Future.failedFuture(e)));
  }

  private static Future<Void> firstKey(Vertx vertx, KeyStore store, Path dataDir, SecureRandom random) {
    return store.isEmpty().compose(empty -> {
      if (!empty) {
        return Future.succeededFuture();
      }
      ApiKeys.NewKey fresh = ApiKeys.generate(random);
      long now = System.currentTimeMillis();
      ApiKey key = new ApiKey(fresh.id(), fresh.secretHash(), "initial", "", List.of("*"), Scopes.DEFAULT, 100, 100,
          0, QueueShare.DEFAULT, 0, true, now, now);
      Path file = dataDir.resolve(INITIAL_KEY_FILE);
      return vertx.executeBlocking(() -> {
        SecretFiles.write(file, fresh.token());
        return null;
      }).compose(v -> store.put(key)).onSuccess(v -> LOG.info(
          "the key store was empty: created API key maas_{} (all models, scope infer, 100 requests/s); its secret is in {} (0600)",
          key.id(), file));
    });
  }

  private static Future<String> adminToken(Vertx vertx, TenancyConfig config, SecureRandom random) {
    String configured = config.adminToken(); // gateway.admin_token, or MAAS_ADMIN_TOKEN (an alias of it)
    if (!configured.isBlank()) {
      return Future.succeededFuture(configured.trim());
    }
    Path file = config.dataDir().resolve(ADMIN_TOKEN_FILE);
    return vertx.executeBlocking(() -> {
      var existing = SecretFiles.read(file);
      if (existing.isPresent() && !existing.get().isEmpty()) {
        return existing.get();
      }
      byte[] b = new byte[32];
      random.nextBytes(b);
      String token = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
      SecretFiles.write(file, token);
      LOG.info("no admin token configured (gateway.admin_token or MAAS_ADMIN_TOKEN): generated one in {} (0600)", file);
      return token;
    });
  }

  public Admission admission() {
    return admission;
  }

  /** What the key API does, behind the admin token: serve it under {@code /admin} on the admin server. */
  public KeyAdmin keyAdmin() {
    return keyAdmin;
  }

  /** Gives back unspent leases, publishes the last counts, then flushes and closes the durable copy. */
  public Future<Void> stop() {
    vertx.cancelTimer(sweepTimer);
    vertx.cancelTimer(publishTimer);
    limiter.close();
    return usage.publish().eventually(store::stop);
  }
}
