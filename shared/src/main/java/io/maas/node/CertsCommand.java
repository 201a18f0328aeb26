package io.maas.node;

import io.maas.tls.TestCertificates;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code java -jar maas-gateway.jar certs DIR [HOST]...}: writes a test CA with the server and client certificates it
 * issued, and a cluster CA with a member certificate, into DIR ({@link TestCertificates}), valid for localhost and
 * the hosts named.
 */
final class CertsCommand {
  static final String USAGE = "usage: certs DIR [HOST]...   (writes ca.pem, server.pem, client.pem, cluster-ca.pem,"
      + " member.pem and their -key.pem files; valid for localhost, 127.0.0.1, ::1 and each HOST)";

  private CertsCommand() {}

  /** @return the process's exit code */
  static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.isEmpty() || args.get(0).startsWith("-")) {
      err.println(USAGE);
      return 2;
    }
    try {
      TestCertificates files = TestCertificates.write(Path.of(args.get(0)), args.subList(1, args.size()));
      out.println("wrote test certificates to " + files.dir() + ": ca.pem issued server.pem and client.pem,"
          + " cluster-ca.pem issued member.pem (keys: *-key.pem, readable by their owner only)");
      return 0;
    } catch (RuntimeException e) {
      err.println("cannot write certificates: " + e.getMessage());
      return 1;
    }
  }
}
