package io.maas.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.io.IOException;
import org.slf4j.Marker;

/**
 * Drops the ERROR line Vert.x logs when a peer resets a connection that has no exception handler of its own (the
 * clustered event bus's connections, when the member at the other end dies: {@code ConnectionBase - Connection
 * reset}). A member's death is news, but the cluster's membership reports it (INFO, "cluster member ... left") and
 * the requests it held fail over; the reset itself is not an error of this process, and an ERROR line for it would
 * page someone for nothing. Registered in {@code conf/logback.xml}; any other ERROR of that class still shows.
 */
public final class PeerResets extends TurboFilter {
  static final String CONNECTION_BASE = "io.vertx.core.net.impl.ConnectionBase";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (level != Level.ERROR || logger == null || !CONNECTION_BASE.equals(logger.getName())) {
      return FilterReply.NEUTRAL;
    }
    return isReset(format) || (t instanceof IOException && isReset(t.getMessage())) ? FilterReply.DENY
        : FilterReply.NEUTRAL;
  }

  private static boolean isReset(String message) {
    return message != null && (message.equals("Connection reset") || message.equals("Connection reset by peer"));
  }
}
