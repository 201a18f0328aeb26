package io.maas.gateway.grpc;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.maas.gateway.edge.BodyBudget;
import io.maas.gateway.edge.StallTimer;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.http.HttpServerRequestInternal;
import io.vertx.core.internal.http.HttpServerRequestWrapper;

/**
 * A gRPC call's HTTP request as the gRPC server reads it, its messages held to the process's {@link BodyBudget}
 * and to the body read timeout, as REST bodies are. The gRPC server gathers a whole message before it hands it
 * on, so each message reserves its declared length (its 5-byte prefix) before the gRPC server buffers a byte of
 * it; one that cannot fails the call with UNAVAILABLE ({@code retry-after} trailer) and the rest of the call's
 * bytes are dropped unread into any buffer. A unary call keeps its message's share until its stream closes (the
 * message and what it decodes to live that long); a ModelStreamInfer stream gives each message's share back once
 * the message is complete (the stream itself bounds the requests it has in flight).
 *
 * <p>A message whose bytes stop coming for the read timeout (for a unary call: any byte, until the client's side
 * ends) fails the call with DEADLINE_EXCEEDED. grpc-web-text bodies (base64) are counted as they arrive.
 */
final class BudgetedGrpcRequest extends HttpServerRequestWrapper {
  private final BodyBudget.Reservation reservation;
  private final boolean streaming;
  private final boolean framed;
  private final long maxMessageBytes;
  private final StallTimer stall;
  private final byte[] prefix = new byte[5];
  private int prefixBytes;
  private boolean inMessage;
  private long payloadLeft;
  private long messageShare;
  private Handler<Buffer> dataHandler;
  private Handler<Throwable> failureHandler;
  private boolean refused;
  private boolean paused;
  private boolean ended;

  BudgetedGrpcRequest(HttpServerRequestInternal request, BodyBudget budget, long maxMessageBytes,
      long readTimeoutSeconds, boolean streaming) {
    super(request);
    this.reservation = budget.open();
    this.streaming = streaming;
    String type = request.getHeader("Content-Type");
    this.framed = type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/grpc-web-text");
    this.maxMessageBytes = maxMessageBytes;
    this.stall = new StallTimer(request.context().owner(), readTimeoutSeconds, () -> refuse(new MaasException(
        ErrorCode.REQUEST_TIMEOUT, "the request message sent nothing for " + readTimeoutSeconds
        + " s (gateway.body_read_timeout_s)")));
    // given back when the answer is written, or when the stream closes unanswered (reset, connection lost)
    request.response().endHandler(v -> release()).closeHandler(v -> release());
  }

  private void release() {
    stall.stop();
    reservation.close();
  }

  @Override
  public HttpServerRequest handler(Handler<Buffer> handler) {
    dataHandler = handler;
    delegate.handler(handler == null ? null : this::data);
    updateStall();
    return this;
  }

  @Override
  public HttpServerRequest exceptionHandler(Handler<Throwable> handler) {
    failureHandler = handler;
    delegate.exceptionHandler(handler);
    return this;
  }

  @Override
  public HttpServerRequest endHandler(Handler<Void> handler) {
    delegate.endHandler(handler == null ? null : v -> {
      ended = true;
      stall.stop();
      handler.handle(v);
    });
    return this;
  }

  @Override
  public HttpServerRequest pause() {
    paused = true;
    stall.stop();
    delegate.pause();
    return this;
  }

  @Override
  public HttpServerRequest resume() {
    paused = false;
    delegate.resume();
    updateStall();
    return this;
  }

  @Override
  public HttpServerRequest fetch(long amount) {
    paused = false;
    delegate.fetch(amount);
    updateStall();
    return this;
  }

  private void data(Buffer chunk) {
    if (refused) {
      return; // dropped: the call has failed
    }
    stall.activity();
    try {
      if (framed) {
        frame(chunk);
      } else {
        reservation.grow(chunk.length());
      }
    } catch (MaasException e) {
      refuse(e);
      return;
    }
    dataHandler.handle(chunk);
    updateStall();
  }

  /** Follows the messages' framing (a flag byte, a 4-byte length, the payload) through a chunk. */
  private void frame(Buffer chunk) {
    int at = 0;
    int length = chunk.length();
    while (at < length) {
      if (inMessage) {
        int take = (int) Math.min(payloadLeft, length - at);
        at += take;
        payloadLeft -= take;
        if (payloadLeft == 0) {
          messageEnded();
        }
      } else {
        prefix[prefixBytes++] = chunk.getByte(at++);
        if (prefixBytes == prefix.length) {
          prefixBytes = 0;
          messageStarted(((prefix[1] & 0xffL) << 24) | ((prefix[2] & 0xffL) << 16) | ((prefix[3] & 0xffL) << 8)
              | (prefix[4] & 0xffL));
        }
      }
    }
  }

  private void messageStarted(long size) {
    inMessage = true;
    payloadLeft = size;
    // a message over the size limit is skipped by the gRPC server without being buffered (RESOURCE_EXHAUSTED)
    messageShare = size <= maxMessageBytes ? size + prefix.length : 0;
    reservation.grow(messageShare);
    if (size == 0) {
      messageEnded();
    }
  }

  private void messageEnded() {
    inMessage = false;
    if (streaming) {
      reservation.shrink(messageShare);
    }
  }

  private void updateStall() {
    if (!refused && !ended && !paused && dataHandler != null && (inMessage || prefixBytes > 0 || !streaming)) {
      stall.start();
    } else {
      stall.stop();
    }
  }

  /**
   * Fails the call (through the gRPC server's read stream, which answers it at once) and drops the rest of its
   * bytes; once the answer is out, RST_STREAM(NO_ERROR) asks the client to stop sending them (RFC 9113, 8.1).
   */
  private void refuse(MaasException e) {
    if (refused) {
      return;
    }
    refused = true;
    stall.stop();
    if (failureHandler != null) {
      failureHandler.handle(e);
    }
    if (!ended && delegate.response().ended()) {
      delegate.response().reset(0);
    }
  }
}
