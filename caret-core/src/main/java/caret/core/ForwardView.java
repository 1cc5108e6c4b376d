package caret.core;

import caret.spi.ChannelHandler;
import caret.spi.Endpoint;
import caret.spi.RemoteBindException;
import caret.spi.RemoteListen;
import caret.spi.SshChannel;
import caret.spi.SshConnection;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection as a forward type sees it: the same primitives, on whichever SSH connection is
 * live; a warning when the type asks the server to listen beyond its loopback (the bind policy of
 * remote listens); no way to close the connection other forwards share; and its remote listens,
 * kept so that they can be opened again on a new connection after a reconnect.
 */
final class ForwardView implements SshConnection {

    private static final Logger log = LoggerFactory.getLogger(ForwardView.class);

    private final Link link;
    private final String forward;
    private final Reconnect retry;
    private final List<Restorable> listens = new CopyOnWriteArrayList<>();

    /** @param retry the backoff between attempts to listen again */
    ForwardView(Link link, String forward, Reconnect retry) {
        this.link = link;
        this.forward = forward;
        this.retry = retry;
    }

    @Override
    public SshChannel openChannel(Endpoint target, Endpoint originator) throws IOException {
        return link.openChannel(target, originator);
    }

    @Override
    public CompletionStage<SshChannel> openChannelAsync(Endpoint target, Endpoint originator) {
        return link.openChannelAsync(target, originator);
    }

    @Override
    public RemoteListen listen(Endpoint bind, ChannelHandler handler) throws IOException {
        RemoteListen listen = link.listen(bind, handler);
        if (!isLoopback(bind.host())) {
            log.warn("[{}] {} listens on {} for this forward: if its sshd_config has GatewayPorts yes or clientspecified,"
                    + " other machines can reach it, not only programs on the server; bind localhost unless that is what you want",
                    forward, link.server(), listen.bound());
        }
        Restorable restorable = new Restorable(bind, handler, listen);
        listens.add(restorable);
        return restorable;
    }

    /**
     * Opens every remote listen of this forward again on the connection now live, retrying with
     * backoff while the server refuses (it may still hold the port for the lost session). Returns
     * when all are back, or when the connection is lost again (false).
     *
     * @param waiting told why, on each refusal
     * @param moved told the new address when a listen on port 0 came back on another port
     * @throws InterruptedException when the forward is stopped meanwhile
     */
    boolean restore(Consumer<String> waiting, Consumer<Endpoint> moved) throws InterruptedException {
        for (Restorable listen : listens) {
            if (!listen.reopen(waiting, moved)) {
                return false;
            }
        }
        return true;
    }

    /** Whether this forward listens on the server. */
    boolean listensOnServer() {
        return !listens.isEmpty();
    }

    @Override
    public void onDrop(Consumer<IOException> listener) {
        link.onDrop(listener);
    }

    @Override
    public boolean isOpen() {
        return link.isOpen();
    }

    @Override
    public Endpoint server() {
        return link.server();
    }

    /** The connection is shared by every forward on it: a forward type cannot close it. */
    @Override
    public void close() {
        log.warn("[{}] the forward type tried to close the connection to {}, which other forwards share; ignored",
                forward, link.server());
    }

    /** Loopback as the server will read it; a name other than localhost is resolved there, so it counts as wider. */
    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1");
    }

    /** A remote listen that outlives the connection it was made on. */
    private final class Restorable implements RemoteListen {

        private final Endpoint asked;
        private final ChannelHandler handler;
        private volatile RemoteListen current;
        private volatile boolean closed;

        Restorable(Endpoint asked, ChannelHandler handler, RemoteListen first) {
            this.asked = asked;
            this.handler = handler;
            this.current = first;
        }

        @Override
        public Endpoint bound() {
            return current.bound();
        }

        @Override
        public void close() {
            closed = true;
            current.close();
            listens.remove(this);
        }

        boolean reopen(Consumer<String> waiting, Consumer<Endpoint> moved) throws InterruptedException {
            Endpoint before = current.bound();
            // Port 0: ask for the port it had, so the address shown stays true; take any once refused.
            Endpoint ask = new Endpoint(asked.host(), before.port());
            for (int attempt = 1; !closed; attempt++) {
                try {
                    RemoteListen fresh = link.listen(ask, handler);
                    current = fresh;
                    if (closed) {
                        fresh.close();
                    } else if (fresh.bound().port() != before.port()) {
                        moved.accept(fresh.bound());
                    }
                    return true;
                } catch (RemoteBindException refused) {
                    Duration delay = retry.delay(attempt);
                    waiting.accept("the server refused to listen on " + ask + " again after the reconnect: it may still hold"
                            + " that port for the lost connection (it frees it once it notices the loss) or forbid it"
                            + " (AllowTcpForwarding, PermitListen in its sshd_config); retrying in " + Seconds.of(delay)
                            + ", attempt " + attempt);
                    if (asked.port() == 0) {
                        ask = asked;
                    }
                    Thread.sleep(delay);
                } catch (IOException lostAgain) {
                    log.debug("[{}] restoring {}: {}", forward, ask, lostAgain.toString());
                    return false;
                }
            }
            return true;
        }
    }
}
