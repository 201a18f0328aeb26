package io.maas.gateway.tenancy;

import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This gateway's parsed copy of every API key, so that authenticating a request is a local look-up: no
 * cluster call, no JSON parse. The cluster map's events keep it current ({@link KeyStore}); a key's newer
 * version ({@code updated_at}) always wins, so a bulk load racing the events cannot bring an old one back.
 * Read from any thread.
 */
final class KeyView {
  /** A key with its secret's hash decoded once. */
  record Known(ApiKey key, byte[] secretHash) {}

  private final ConcurrentHashMap<String, Known> byId = new ConcurrentHashMap<>();

  Known find(String id) {
    return byId.get(id);
  }

  /** A key as an event reports it: it replaces any version not newer than itself. */
  void changed(ApiKey key) {
    Known fresh = known(key);
    byId.merge(key.id(), fresh, (old, neu) -> neu.key().updatedAt() >= old.key().updatedAt() ? neu : old);
  }

  /** A key as a read of the map found it: kept only where the view has no newer version. */
  void loaded(ApiKey key) {
    Known fresh = known(key);
    byId.merge(key.id(), fresh, (old, neu) -> neu.key().updatedAt() > old.key().updatedAt() ? neu : old);
  }

  void removed(String id) {
    byId.remove(id);
  }

  int size() {
    return byId.size();
  }

  private static Known known(ApiKey key) {
    return new Known(key, HexFormat.of().parseHex(key.secretHash()));
  }
}
