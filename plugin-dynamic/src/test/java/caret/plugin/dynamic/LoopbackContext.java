package caret.plugin.dynamic;

import caret.spi.ConnectionHandler;
import caret.spi.Endpoint;
import caret.spi.ForwardContext;
import caret.spi.ForwardException;
import caret.spi.SshChannel;
import caret.spi.SshConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The engine's side of a forward, as small as the tests need: a listener on 127.0.0.1 (whatever
 * the bind address; {@code *} is reported as 0.0.0.0), one virtual thread per connection, a pump
 * that half-closes, and the failures and notices kept for assertions.
 */
final class LoopbackContext implements ForwardContext, AutoCloseable {

    final LoopbackConnection connection = new LoopbackConnection();
    final BlockingQueue<String> failures = new LinkedBlockingQueue<>();
    final List<String> notices = new CopyOnWriteArrayList<>();
    private final Set<Socket> pumped = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<ServerSocket> listeners = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
        return "D test";
    }

    @Override
    public SshConnection connection() {
        return connection;
    }

    @Override
    public Endpoint serve(String bindAddress, int port, ConnectionHandler handler) throws ForwardException {
        ServerSocket listener;
        try {
            listener = new ServerSocket(port, 50, SocketPair.LOOPBACK);
        } catch (IOException e) {
            throw new ForwardException(ForwardException.Reason.LOCAL_BIND_FAILED, e.getMessage(), e);
        }
        listeners.add(listener);
        threads.submit(() -> acceptLoop(listener, handler));
        return new Endpoint("*".equals(bindAddress) ? "0.0.0.0" : "127.0.0.1", listener.getLocalPort());
    }

    private Void acceptLoop(ServerSocket listener, ConnectionHandler handler) throws IOException {
        while (!listener.isClosed()) {
            Socket socket = listener.accept();
            threads.submit(() -> handle(socket, handler));
        }
        return null;
    }

    private Void handle(Socket socket, ConnectionHandler handler) throws IOException {
        try {
            handler.handle(socket);
        } catch (Exception e) {
            failures.add("handler threw " + e);
        } finally {
            if (!pumped.contains(socket)) {
                socket.close();
            }
        }
        return null;
    }

    @Override
    public Socket connect(Endpoint target) throws IOException {
        return new Socket(target.host(), target.port());
    }

    @Override
    public void pump(Socket socket, SshChannel channel, byte[] pending) {
        pumped.add(socket);
        CountDownLatch done = new CountDownLatch(2);
        threads.submit(() -> {
            try {
                InputStream in = socket.getInputStream();
                channel.write(pending, 0, pending.length);
                byte[] buffer = new byte[8192];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    channel.write(buffer, 0, n);
                }
                channel.sendEof();
            } finally {
                done.countDown();
            }
            return null;
        });
        threads.submit(() -> {
            try {
                OutputStream out = socket.getOutputStream();
                byte[] buffer = new byte[8192];
                int n;
                while ((n = channel.read(buffer, 0, buffer.length)) >= 0) {
                    out.write(buffer, 0, n);
                }
                socket.shutdownOutput();
            } finally {
                done.countDown();
            }
            return null;
        });
        threads.submit(() -> {
            done.await();
            channel.close();
            socket.close();
            return null;
        });
    }

    @Override
    public void connectionFailed(String message, Throwable cause) {
        failures.add(message);
    }

    @Override
    public void notice(String message) {
        notices.add(message);
    }

    @Override
    public void close() throws IOException {
        for (ServerSocket listener : listeners) {
            listener.close();
        }
        threads.shutdownNow();
    }
}
