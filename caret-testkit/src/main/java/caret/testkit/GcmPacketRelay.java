package caret.testkit;

import caret.spi.Endpoint;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on 127.0.0.1 in front of an SSH server that counts the binary packets its clients
 * send once their keys are in use. It reads the packets' lengths, which OpenSSH's AES-GCM ciphers
 * leave in the clear (RFC 5647 as OpenSSH does it: the length, then that many encrypted bytes,
 * then a 16-byte tag): so the server must offer only {@code aes128-gcm@openssh.com} or {@code
 * aes256-gcm@openssh.com}. Bytes pass unchanged both ways; a packet is counted once it has been
 * read whole, before it is passed on.
 */
public final class GcmPacketRelay implements AutoCloseable {

    private static final int SSH_MSG_NEWKEYS = 21;
    private static final int GCM_TAG = 16;
    private static final int MAX_PACKET = 256 * 1024;

    private final ServerSocket listener;
    private final Endpoint server;
    private final AtomicInteger encryptedPackets = new AtomicInteger();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

    private GcmPacketRelay(ServerSocket listener, Endpoint server) {
        this.listener = listener;
        this.server = server;
    }

    /** Binds 127.0.0.1:0 and relays each connection to {@code server}. */
    public static GcmPacketRelay start(Endpoint server) {
        try {
            ServerSocket listener = new ServerSocket();
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            GcmPacketRelay relay = new GcmPacketRelay(listener, server);
            Thread.ofVirtual().name("relay-accept-" + listener.getLocalPort()).start(relay::acceptLoop);
            return relay;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot bind a relay on 127.0.0.1: " + e.getMessage(), e);
        }
    }

    /** {@code 127.0.0.1:port}, for the client to connect to. */
    public Endpoint endpoint() {
        return new Endpoint("127.0.0.1", listener.getLocalPort());
    }

    /** The encrypted packets clients have sent so far, over all connections. */
    public int encryptedPackets() {
        return encryptedPackets.get();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            sockets.add(client);
            Socket upstream;
            try {
                upstream = new Socket(server.host(), server.port());
            } catch (IOException e) {
                closeQuietly(client); // the client sees the server's refusal as the connection's end
                continue;
            }
            sockets.add(upstream);
            Thread.ofVirtual().name("relay-up").start(() -> relay(() -> countPackets(client.getInputStream(),
                    upstream.getOutputStream()), upstream));
            Thread.ofVirtual().name("relay-down").start(() -> relay(() -> upstream.getInputStream().transferTo(
                    client.getOutputStream()), client));
        }
    }

    private interface Copy {
        void run() throws IOException;
    }

    /** Runs one direction, then ends the other side's output as the sender ended its own. */
    private static void relay(Copy copy, Socket to) {
        try {
            copy.run();
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** The client's identification line, then its packets, counting those sent after its NEWKEYS. */
    private void countPackets(InputStream from, OutputStream to) throws IOException {
        DataInputStream in = new DataInputStream(from);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                return;
            }
            line.write(b);
        }
        line.write('\n');
        line.writeTo(to);
        boolean encrypted = false;
        byte[] packet = new byte[4 + MAX_PACKET + GCM_TAG];
        while (true) {
            int length;
            try {
                length = in.readInt();
            } catch (EOFException e) {
                return;
            }
            if (length < 5 || length > MAX_PACKET) {
                throw new IOException("Not an SSH packet length with AES-GCM: " + length);
            }
            int rest = length + (encrypted ? GCM_TAG : 0);
            packet[0] = (byte) (length >>> 24);
            packet[1] = (byte) (length >>> 16);
            packet[2] = (byte) (length >>> 8);
            packet[3] = (byte) length;
            in.readFully(packet, 4, rest);
            if (encrypted) {
                encryptedPackets.incrementAndGet();
            } else if (packet[5] == SSH_MSG_NEWKEYS) { // after the padding length: the message type
                encrypted = true;
            }
            to.write(packet, 0, 4 + rest);
        }
    }

    /** Stops accepting and closes every relayed connection. */
    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            sockets.forEach(GcmPacketRelay::closeQuietly);
        }
    }
}
