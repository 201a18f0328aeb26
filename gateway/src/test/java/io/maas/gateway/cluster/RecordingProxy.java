package io.maas.gateway.cluster;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on 127.0.0.1 that forwards each connection to a target port and keeps a copy of every byte, each
 * direction of each connection apart (so that a pattern split across reads is still found whole). Members told to
 * reach each other at the proxy's port (a Hazelcast public address, an event-bus public port) talk through it: the
 * tests' stand-in for a capture on the wire.
 */
final class RecordingProxy implements AutoCloseable {
  private final String name;
  private final ServerSocket server;
  private final int target;
  private final List<ByteArrayOutputStream> streams = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private RecordingProxy(String name, ServerSocket server, int target) {
    this.name = name;
    this.server = server;
    this.target = target;
  }

  /** Listens on {@code port} (0: any free one) and forwards to {@code target}, which need not listen yet. */
  static RecordingProxy start(String name, int port, int target) {
    try {
      ServerSocket server = new ServerSocket();
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
      RecordingProxy proxy = new RecordingProxy(name, server, target);
      Thread accept = new Thread(proxy::accept, "proxy-" + name);
      accept.setDaemon(true);
      accept.start();
      return proxy;
    } catch (IOException e) {
      throw new UncheckedIOException("proxy " + name + " cannot listen on " + port, e);
    }
  }

  int port() {
    return server.getLocalPort();
  }

  /** Connections forwarded so far. */
  int connections() {
    return streams.size() / 2;
  }

  /** Every byte recorded so far, one array per direction of each connection. */
  List<byte[]> recorded() {
    List<byte[]> out = new ArrayList<>();
    for (ByteArrayOutputStream s : streams) {
      synchronized (s) {
        out.add(s.toByteArray());
      }
    }
    return out;
  }

  long bytes() {
    return recorded().stream().mapToLong(b -> b.length).sum();
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return;
      }
      Socket upstream;
      try {
        upstream = new Socket(InetAddress.getLoopbackAddress(), target);
      } catch (IOException e) {
        close(client);
        continue; // the member is not listening yet: the caller retries, as it would on the wire
      }
      sockets.add(client);
      sockets.add(upstream);
      pump(client, upstream, "->");
      pump(upstream, client, "<-");
    }
  }

  private void pump(Socket from, Socket to, String direction) {
    ByteArrayOutputStream record = new ByteArrayOutputStream();
    streams.add(record);
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[16384];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          synchronized (record) {
            record.write(buffer, 0, n);
          }
          out.write(buffer, 0, n);
        }
      } catch (IOException e) {
        // one side closed: close the other
      } finally {
        close(from);
        close(to);
      }
    }, "proxy-" + name + direction);
    t.setDaemon(true);
    t.start();
  }

  private static void close(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    sockets.forEach(RecordingProxy::close);
  }

  @Override
  public String toString() {
    return name + " (:" + port() + " -> :" + target + ", " + connections() + " connections, " + bytes() + " bytes)";
  }
}
