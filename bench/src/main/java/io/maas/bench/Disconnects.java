package io.maas.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Clients that go away: each opens a plain socket, writes one whole HTTP/1.1 request, and closes the socket
 * {@code closeAfterMillis} later without reading anything, either politely (FIN) or with a TCP reset
 * ({@code SO_LINGER} 0: RST). All connections are opened first, then every request is written in turn from one
 * thread, each close scheduled from its own write.
 */
final class Disconnects {
  enum Close {
    FIN("close (FIN)"), RST("reset (RST, SO_LINGER 0)");

    final String label;

    Close(String label) {
      this.label = label;
    }
  }

  private Disconnects() {}

  /** The raw request: a POST of this JSON body with the key as a bearer token. */
  static byte[] request(String path, String key, String body) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
        + "\r\nContent-Type: application/json\r\nContent-Length: " + b.length + "\r\n\r\n";
    byte[] h = head.getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[h.length + b.length];
    System.arraycopy(h, 0, all, 0, h.length);
    System.arraycopy(b, 0, all, h.length, b.length);
    return all;
  }

  /** Sends {@code count} requests this way; gives how many were written whole (the rest failed to connect or write). */
  static int run(int port, byte[] request, int count, long closeAfterMillis, Close close)
      throws IOException, InterruptedException {
    List<Socket> sockets = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Socket s = new Socket();
      s.setTcpNoDelay(true);
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      sockets.add(s);
    }
    ScheduledExecutorService closer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bench-disconnect");
      t.setDaemon(true);
      return t;
    });
    int written = 0;
    try {
      for (Socket s : sockets) {
        try {
          OutputStream out = s.getOutputStream();
          out.write(request);
          out.flush();
          written++;
        } catch (IOException e) {
          // counted as not written
        }
        closer.schedule(() -> close(s, close), closeAfterMillis, TimeUnit.MILLISECONDS);
      }
    } finally {
      closer.shutdown();
      closer.awaitTermination(30, TimeUnit.SECONDS);
    }
    return written;
  }

  private static void close(Socket s, Close how) {
    try {
      if (how == Close.RST) {
        s.setSoLinger(true, 0);
      }
      s.close();
    } catch (IOException e) {
      // gone already
    }
  }
}
