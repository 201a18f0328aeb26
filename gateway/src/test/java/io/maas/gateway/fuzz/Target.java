package io.maas.gateway.fuzz;

/**
 * The node under fuzz: its ports and the secrets a well-behaved client would send.
 *
 * @param apiKey a key with every model and a rate no fuzz run reaches
 * @param victimKeyId the id of a key the admin cases may change or revoke (never {@code apiKey}'s)
 */
record Target(int restPort, int grpcPort, int adminPort, String apiKey, String adminToken, String victimKeyId) {}
