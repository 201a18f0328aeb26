package io.maas.gateway.fuzz;

/** One generated request to one edge, and the rules its answer is held to. */
interface FuzzCase {
  /** The edge and call the case exercises ("REST v2 infer", "gRPC ModelInfer"...), counted in the summary. */
  String surface();

  /** What the case sends, short enough for a failure message. */
  String describe();

  /** Sends the case and judges the answer; an exception is a failure of the case. */
  Verdict run(Target target, long deadlineMs) throws Exception;
}
