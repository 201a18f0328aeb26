package io.maas.gateway.fuzz;

/**
 * How one fuzz case went: whether the edge answered it as the rules say (an answer within the deadline, no 5xx, no
 * gRPC UNKNOWN, INTERNAL or bare CANCELLED for a client's mistake), and what the answer was, for the report.
 *
 * @param outcome a short name of the answer ("HTTP 400", "grpc 3"...), counted in the run's summary
 */
record Verdict(boolean ok, String outcome, String detail) {
  static Verdict ok(String outcome) {
    return new Verdict(true, outcome, "");
  }

  static Verdict broken(String outcome, String detail) {
    return new Verdict(false, outcome, detail);
  }
}
