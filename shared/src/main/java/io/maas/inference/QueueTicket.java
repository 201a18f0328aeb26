package io.maas.inference;

/**
 * How a worker queues one request, sent beside it by the gateway (event-bus header
 * {@link io.maas.bus.Addresses#TICKET_HEADER}): whose it is and its share, its priority level, how long it may
 * wait, and the id that cancels it.
 *
 * @param id unique per send from a gateway: a cancel message names it ({@link io.maas.bus.Addresses#workerCancel})
 * @param tenant the API key's id ("" without keys): the flow the worker's fair queue serves it in
 * @param weight the key's share within its priority level, positive (1 unless the key says otherwise)
 * @param priority the level, 1 highest; 0 for the model's {@code default_priority_level}
 * @param timeoutMicros the request's own {@code timeout} parameter (0 when it set none): its queue timeout where the
 *     level's queue policy has {@code allow_timeout_override}
 * @param remainingMillis what was left of the request's deadline when it was sent: the worker answers
 *     DEADLINE_EXCEEDED without running it once that has passed
 */
public record QueueTicket(String id, String tenant, double weight, int priority, long timeoutMicros,
    long remainingMillis) {

  private static final char SEP = ' ';

  public QueueTicket {
    if (!(weight > 0) || Double.isInfinite(weight)) {
      throw new IllegalArgumentException("a queue weight must be positive, not " + weight);
    }
    if (priority < 0) {
      throw new IllegalArgumentException("a priority level is 0 (the default) or more, not " + priority);
    }
    if (id.indexOf(SEP) >= 0 || tenant.indexOf(SEP) >= 0) {
      throw new IllegalArgumentException("ids hold no spaces");
    }
  }

  /** The header's value: the fields in order, separated by one space. */
  public String toHeader() {
    return id + SEP + (tenant.isEmpty() ? "-" : tenant) + SEP + weight + SEP + priority + SEP + timeoutMicros + SEP
        + remainingMillis;
  }

  /**
   * A ticket read from its header.
   *
   * @throws IllegalArgumentException when the value is not one {@link #toHeader} writes
   */
  public static QueueTicket fromHeader(String header) {
    String[] f = header.split(" ", -1);
    if (f.length != 6) {
      throw new IllegalArgumentException("a queue ticket has 6 fields, not " + f.length + ": " + header);
    }
    try {
      return new QueueTicket(f[0], f[1].equals("-") ? "" : f[1], Double.parseDouble(f[2]), Integer.parseInt(f[3]),
          Long.parseLong(f[4]), Long.parseLong(f[5]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("malformed queue ticket: " + header, e);
    }
  }
}
