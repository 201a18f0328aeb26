package io.maas.http;

import io.maas.error.ErrorCode;
import io.maas.error.MaasException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/1 connection's guard, between Netty's HTTP codec and Vert.x. It answers, with a 4xx, the error body of the
 * API the request's path belongs to ({@link ErrorFormat}; a head that does not decode has no path: maas's own) and
 * the code in {@value ErrorFormat#CODE_HEADER}, then closes the connection:
 * <ul>
 *   <li>a request whose head does not decode: a request line over the limit (414), headers over it (431), anything
 *       else malformed (400);</li>
 *   <li>an HTTP version other than 1.0 and 1.1 on an HTTP/1 connection ({@code HTTP/9.9}, {@code http/1.1},
 *       {@code HTTP/2.0}): 400 naming the versions served. Vert.x answered 501, a server fault; RFC 9110 lets a
 *       server refuse a version with 505, but that is a 5xx too, and the request is the client's mistake;</li>
 *   <li>a body whose framing does not decode (a malformed chunk size) or that does not decode as its
 *       Content-Encoding says: 400. Vert.x closed the connection without a word.</li>
 * </ul>
 * Answers keep their order: a malformed request behind pipelined ones Vert.x has not answered yet is answered after
 * them. A body fault is answered for its request only while no response to it has begun; else the connection just
 * closes, as before. A client's mistake is logged at DEBUG, in one line.
 */
final class MalformedRequestGuard extends ChannelDuplexHandler {
  private static final Logger LOG = LoggerFactory.getLogger(MalformedRequestGuard.class);
  static final String VERSIONS = "HTTP/1.0, HTTP/1.1 and HTTP/2 (by prior knowledge or h2c upgrade)";

  /** Requests handed to Vert.x whose response has not ended. */
  private int unanswered;
  /** Whether a response (not an interim 1xx) has begun and not ended. */
  private boolean responding;
  /** The answer the guard gives once the requests ahead of it are answered; null: none. */
  private MaasException pending;
  /** Whether the guard has sent its answer: the connection is closing, and whatever Vert.x writes after is dropped. */
  private boolean answered;
  /** Whether the connection is being refused: nothing more is read. */
  private boolean refusing;
  /** The target of the request last read (whose body is being read), for the format of the answer. */
  private String uri;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refusing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest request) {
      uri = request.uri();
      MaasException problem = problem(request);
      if (problem != null) {
        ReferenceCountUtil.release(msg);
        refuse(ctx, problem, false);
        return;
      }
      unanswered++;
    } else if (msg instanceof HttpContent content && content.decoderResult().isFailure()) {
      Throwable cause = content.decoderResult().cause();
      content.release();
      refuseBody(ctx, MaasException.invalid("malformed request body: %s", cause.getMessage()));
      return;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof DecoderException && !refusing) { // the body decompressor's failure, typically
      Throwable why = cause.getCause() == null ? cause : cause.getCause();
      refuseBody(ctx, MaasException.invalid("the request body does not decode as its Content-Encoding says: %s",
          why.getMessage()));
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (answered && msg instanceof HttpObject) { // the response to a request the guard answered for Vert.x
      ReferenceCountUtil.release(msg);
      promise.setFailure(new IllegalStateException("the request was answered as malformed"));
      return;
    }
    boolean interim = msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    if (msg instanceof HttpResponse && !interim) {
      responding = true;
    }
    ctx.write(msg, promise);
    if (msg instanceof LastHttpContent && !interim) {
      responding = false;
      unanswered = Math.max(0, unanswered - 1);
      if (unanswered == 0 && pending != null) {
        send(ctx, pending);
      }
    }
  }

  /** What is wrong with a request's head, or null. */
  private static MaasException problem(HttpRequest request) {
    if (request.decoderResult().isFailure()) {
      Throwable cause = request.decoderResult().cause();
      if (cause instanceof TooLongHttpLineException) {
        return new MaasException(ErrorCode.URI_TOO_LONG, "the request line is over the server's limit: "
            + cause.getMessage());
      }
      if (cause instanceof TooLongHttpHeaderException) {
        return new MaasException(ErrorCode.HEADERS_TOO_LARGE, "the request headers are over the server's limit: "
            + cause.getMessage());
      }
      return MaasException.invalid("malformed HTTP request: %s", cause.getMessage());
    }
    HttpVersion version = request.protocolVersion();
    if (version != HttpVersion.HTTP_1_0 && version != HttpVersion.HTTP_1_1) { // Vert.x serves these two instances
      return MaasException.invalid("unsupported HTTP version in the request line ('%s' as read): this server speaks %s,"
          + " spelled exactly so", version.text(), VERSIONS);
    }
    return null;
  }

  /**
   * Answers a body fault for the request being read (the last one handed to Vert.x) once the requests ahead of it
   * are answered, unless a response to it has begun or ended; then the connection just closes, as Vert.x closed it.
   */
  private void refuseBody(ChannelHandlerContext ctx, MaasException problem) {
    if (unanswered == 0 || unanswered == 1 && responding) {
      LOG.debug("closed the connection of {}: {}", ctx.channel().remoteAddress(), problem.getMessage());
      refusing = true;
      // what Vert.x wrote (an answer already given) leaves first: it flushes when the read completes, after this
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    refuse(ctx, problem, true);
  }

  /**
   * Stops reading and answers the problem once the requests ahead are answered.
   *
   * @param forVertx whether the problem is with a request Vert.x holds, whose answer the guard gives instead
   */
  private void refuse(ChannelHandlerContext ctx, MaasException problem, boolean forVertx) {
    refusing = true;
    if (forVertx) {
      unanswered--;
    }
    pending = problem;
    if (unanswered == 0) {
      send(ctx, problem);
    }
  }

  private void send(ChannelHandlerContext ctx, MaasException problem) {
    pending = null;
    answered = true;
    LOG.debug("refused a malformed request from {}: {}", ctx.channel().remoteAddress(), problem.getMessage());
    ByteBuf body = Unpooled.copiedBuffer(ErrorFormat.of(path(uri)).body(problem).encode(), StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(problem.code().httpStatus()), body);
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .set(ErrorFormat.CODE_HEADER, problem.code().name())
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  /** A request target's path (its query cut off). */
  private static String path(String uri) {
    if (uri == null) {
      return null;
    }
    int query = uri.indexOf('?');
    return query < 0 ? uri : uri.substring(0, query);
  }
}
