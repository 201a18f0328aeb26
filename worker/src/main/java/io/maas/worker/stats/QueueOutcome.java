package io.maas.worker.stats;

/** How a request left a model version's queue. */
public enum QueueOutcome {
  /** It ran (alone or in a batch). */
  RAN,
  /** Its client went away while it waited: it never ran. */
  CANCELLED,
  /** Its deadline, or its level's queue timeout (REJECT), passed while it waited: it never ran. */
  TIMED_OUT,
  /** The queue was full and a key with a smaller share needed its place: it never ran. */
  PUSHED_OUT,
  /** Its model version was unloaded while it waited: it never ran. */
  UNLOADED
}
