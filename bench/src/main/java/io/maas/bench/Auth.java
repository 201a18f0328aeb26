package io.maas.bench;

/**
 * Whether a deployment's gateways check API keys: on is maas's default ({@code gateway.auth_enabled: true}),
 * the headline of every scenario; off ({@code gateway.auth_enabled=false}) is measured beside it, in the
 * same run, to show what admission costs.
 */
enum Auth {
  ON("on"),
  OFF("off");

  final String label;

  Auth(String label) {
    this.label = label;
  }
}
