package io.dbosee.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP forwarder on a loopback port that a test can cut, as a network outage or a database that
 * went away would: {@link #cut()} resets every open connection and refuses new ones until {@link
 * #restore()}. Test code only: it uses plain threads.
 */
public final class TcpProxy implements AutoCloseable {
  private static final Pattern JDBC_HOST_PORT = Pattern.compile("//[^:/]+:(\\d+)/");

  private final int targetPort;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile ServerSocket server;
  private volatile int port;
  private volatile boolean closed;

  public TcpProxy(int targetPort) {
    this.targetPort = targetPort;
    listen(0);
  }

  /** A proxy to the database server of {@code jdbcUrl}, which runs on this machine. */
  public static TcpProxy forJdbcUrl(String jdbcUrl) {
    Matcher m = JDBC_HOST_PORT.matcher(jdbcUrl);
    if (!m.find()) {
      throw new IllegalArgumentException("no host:port in " + jdbcUrl);
    }
    return new TcpProxy(Integer.parseInt(m.group(1)));
  }

  /** {@code jdbcUrl}, through this proxy. */
  public String jdbcUrl(String jdbcUrl) {
    return JDBC_HOST_PORT.matcher(jdbcUrl).replaceFirst("//127.0.0.1:" + port + "/");
  }

  /** The port to connect to. */
  public int port() {
    return port;
  }

  /** Resets every connection through the proxy and refuses new ones. */
  public synchronized void cut() {
    closeQuietly(server);
    server = null;
    for (Socket socket : sockets) {
      reset(socket);
    }
    sockets.clear();
  }

  /** Accepts connections again, on the same port. */
  public synchronized void restore() {
    if (server == null) {
      listen(port);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    cut();
  }

  private void listen(int onPort) {
    try {
      ServerSocket socket = new ServerSocket();
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort));
      server = socket;
      port = socket.getLocalPort();
      Thread acceptor = new Thread(() -> accept(socket), "tcp-proxy-accept-" + port);
      acceptor.setDaemon(true);
      acceptor.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not listen on port " + onPort, e);
    }
  }

  private void accept(ServerSocket socket) {
    while (!closed && !socket.isClosed()) {
      try {
        Socket client = socket.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        synchronized (this) {
          // A cut while this connection was being set up must reach it too: it was not in
          // the set that cut() reset.
          if (closed || server != socket) {
            reset(client);
            reset(upstream);
            return;
          }
          sockets.add(client);
          sockets.add(upstream);
        }
        pump(client, upstream);
        pump(upstream, client);
      } catch (IOException e) {
        return; // cut or closed
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[16384];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // the connection ended
              } finally {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
              }
            },
            "tcp-proxy-pump");
    thread.setDaemon(true);
    thread.start();
  }

  /** Closes {@code socket} with a reset, as when the peer is gone. */
  private static void reset(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
    } catch (IOException e) {
      // closing anyway
    }
    closeQuietly(socket);
  }

  private static void closeQuietly(AutoCloseable closeable) {
    if (closeable != null) {
      try {
        closeable.close();
      } catch (Exception e) {
        // already gone
      }
    }
  }
}
