package io.maas.bus;

/** Every event-bus address maas uses, in one place. */
public final class Addresses {
  private Addresses() {}

  /** Workers publish their {@code WorkerAnnouncement} here. */
  public static final String ANNOUNCE = "maas.registry.announce";

  /** Gateways publish here on start to ask every worker to announce itself at once. */
  public static final String DISCOVER = "maas.registry.discover";

  /** Workers publish their id here when they leave. */
  public static final String DEPART = "maas.registry.depart";

  /** The point-to-point address on which one worker verticle takes inference requests. */
  public static String worker(String workerId) {
    return "maas.worker." + workerId + ".infer";
  }

  /**
   * The point-to-point address on which one worker verticle answers statistics queries (JSON: optional
   * {@code model} and {@code version} filters; the reply holds its {@code model_stats}).
   */
  public static String workerStats(String workerId) {
    return "maas.worker." + workerId + ".stats";
  }

  /**
   * The point-to-point address on which one worker verticle takes repository changes (JSON: {@code op}
   * {@code load} or {@code unload}, {@code model}, optional {@code config}); the reply holds the model's
   * versions' {@code statuses} on that worker once the change is done.
   */
  public static String workerControl(String workerId) {
    return "maas.worker." + workerId + ".control";
  }

  /**
   * The point-to-point address on which one worker verticle takes cancellations: the body is the
   * {@link io.maas.inference.QueueTicket#id} of a request whose client went away. A request still queued is
   * answered CANCELLED without running; one running finishes.
   */
  public static String workerCancel(String workerId) {
    return "maas.worker." + workerId + ".cancel";
  }

  /** Event-bus header of an inference request carrying its {@link io.maas.inference.QueueTicket}. */
  public static final String TICKET_HEADER = "maas-ticket";

  /** Event-bus header of an inference answer: how long the request waited in the worker's queue, in microseconds. */
  public static final String QUEUE_WAIT_HEADER = "maas-queue-us";

  /** Event-bus header carrying the request id for logs. */
  public static final String REQUEST_ID_HEADER = "maas-request-id";
}
