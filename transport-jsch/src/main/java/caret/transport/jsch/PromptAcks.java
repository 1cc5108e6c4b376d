package caret.transport.jsch;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;

import jdk.net.ExtendedSocketOptions;

/**
 * The input of the socket to a server, acknowledging what it read at once ({@code TCP_QUICKACK},
 * Linux) instead of after the kernel's delayed-ACK timer.
 *
 * <p>Why: OpenSSH's sshd leaves Nagle's algorithm on for a connection without a terminal, so it
 * holds back a small segment until the one before is acknowledged. A new forwarded connection is
 * a few small packets each way (open, confirmation, the first data), and through a reverse
 * forward a 1-byte exchange took about 10 ms on average, the delayed ACK's 40 ms now and then;
 * with quick ACKs about 2 ms. Through a jump host, sshd cut the target's stream into channel
 * packets of at most JSch's 16 KiB, so the last few bytes of a target packet often travelled
 * alone; JSch's small channel windows (128 KiB) left nothing else in flight, and each such tail
 * waited for the 40 ms delayed ACK: 32 MiB from the target took 13 s instead of 0.2 s (measured
 * before our channels offered 2 MiB and 32 KiB). Linux turns quick ACKs off again by itself, so
 * they are asked for after every read. Where the option is missing the stream is left as it is.
 */
final class PromptAcks extends FilterInputStream {

    private final Socket socket;

    private PromptAcks(InputStream in, Socket socket) {
        super(in);
        this.socket = socket;
    }

    /** The socket's input, acknowledging promptly where the platform allows it. */
    static InputStream of(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        return socket.supportedOptions().contains(ExtendedSocketOptions.TCP_QUICKACK) ? new PromptAcks(in, socket) : in;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        ackNow();
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        ackNow();
        return n;
    }

    private void ackNow() throws IOException {
        if (!socket.isClosed()) {
            socket.setOption(ExtendedSocketOptions.TCP_QUICKACK, true);
        }
    }
}
