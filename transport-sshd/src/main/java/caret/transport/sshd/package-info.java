/**
 * Apache MINA SSHD ({@code org.apache.sshd:sshd-osgi} 2.20) behind {@link caret.spi.SshTransport},
 * id {@code sshd}. Only {@link caret.transport.sshd.SshdTransport} is public. MINA's own port
 * forwarders are not used: channels carry our own streams ({@code DirectChannel},
 * {@code ForwardedChannel}). One MINA client ({@code SharedClient}) serves every connection of a
 * transport instance; each session finds its {@code SshdConnection} in its connection context.
 *
 * <h2>Sockets and threads</h2>
 * MINA's NIO2 transport is not used: the client's connector ({@code SessionConnector}, in
 * {@code TunnellingClient}) makes each session a {@code SocketSession} over a socket of our own.
 * One platform thread per connection waits on the socket, reads and runs MINA's decoding; every
 * packet is encrypted and written without blocking on the thread that sends it (a pump's virtual
 * thread), within MINA's encode lock; what the socket cannot take at once is queued and written by
 * the reading thread when the socket has room, and channel writers wait (outside MINA's locks)
 * while more than 1 MiB is queued. NIO2 handed every read and every completed write to another
 * thread of its pool: per 32 KiB packet one thread wake-up more, and for a new forwarded connection
 * several. No MINA thread ever blocks on the socket: OpenSSH's sshd stops reading from a client
 * while its output to that client is unread, so a reader blocked in a write would wait for sshd
 * while sshd waits for it. Nagle is off on the socket, and every read asks for a quick ACK
 * ({@code TCP_QUICKACK}, Linux): sshd leaves Nagle on for a connection without a terminal, so its
 * small packets wait for our ACK, and a new forwarded connection is a few small packets each way
 * (10,000 one-byte exchanges through a reverse forward took about 100 s with delayed ACKs, 9 s
 * with quick ones). The arrays of full outgoing channel data packets come from a few kept per
 * session ({@code PacketPool}) and go back once the socket has taken them, where MINA would allocate
 * and zero a new one of 33 KiB per packet; smaller packets keep MINA's own small arrays.
 *
 * <h2>Through a jump host</h2>
 * With {@link caret.spi.ConnectionSettings#jumpHost()} the jump host is connected first, exactly as
 * a direct connection (its settings, host key check, authentication, keepalive). Then it is asked
 * for a {@code direct-tcpip} channel to the target, with the target's name as the user wrote it
 * (the jump host resolves it), and the target's SSH session runs inside that channel: a
 * {@code TunnelSession} is its transport ({@code IoSession}) over the channel instead of a socket,
 * made by the client's connector when the connection context carries the channel. So MINA's ordinary connect does the rest: the
 * target's host key is checked against the target's own name, and its keepalive, channels and
 * listens work as on any connection. No local socket is opened and no port listens: MINA's built-in
 * ProxyJump is not used, because it forwards a local port (open to every local process while it
 * lives) to the target through its own forwarder. Each packet of the target's session is one
 * write to that channel, so the target's channels carry at most the channel's packet data size
 * less what MINA adds to make a packet ({@code SshdChannel.PACKET_OVERHEAD}, 109 bytes): every
 * packet of the target's session then goes out as one packet to the jump host, not as a full one
 * and a small one (one stream's upload through a jump host: 464 → 557 MB/s).
 *
 * <p>The target's connection owns the jump host's: closing it closes both; when the jump host's
 * connection ends, the channel ends, so the target's session ends and its drop listeners hear
 * {@code Connection to db:22 lost: the connection to jump host bastion:22 was lost (...)}. Failures
 * name the hop ({@code Hop}): {@code Cannot connect to jump host ...}, {@code Permission denied for
 * alice@bastion:22 (jump host)}, {@code Jump host bastion:22: The host key of ...}, and when the jump
 * host does not open the channel (forwarding forbidden there, target down),
 * {@code Jump host bastion:22 could not connect to db:22: ...} with reason
 * {@link caret.spi.TransportException.Reason#UNREACHABLE}. One hop only.
 *
 * <h2>Security providers</h2>
 * Every algorithm comes from the JDK's providers: ed25519 too ({@code JdkEd25519}, registered with
 * MINA when the transport loads), where MINA alone would register Bouncy Castle's whole JCA
 * provider for it (1,000 classes, 25-40 MiB of resident memory and 150-200 ms of start-up). Bouncy
 * Castle's classes stay on the module path for the post-quantum key exchanges, which MINA calls
 * directly; {@code -Dorg.apache.sshd.security.provider.BC.enabled=true} registers the provider as
 * before.
 *
 * <h2>Key exchange</h2>
 * MINA's algorithms in MINA's order, {@code sntrup761x25519-sha512} first (as OpenSSH before 10.0).
 * Its client key pairs are generated on a thread of their own from the moment a connection starts
 * ({@code EarlyKeys}), where MINA generates them only when the server's KEXINIT has arrived: Bouncy
 * Castle's sntrup761 generator took 30 to 45 ms of a fresh client's handshake. A re-key makes its own.
 */
package caret.transport.sshd;
