/**
 * JSch ({@code com.github.mwiede:jsch} 2.28.8) behind {@link caret.spi.SshTransport}, id
 * {@code jsch}. Only {@link caret.transport.jsch.JschTransport} is public. JSch's own forwarders
 * ({@code setPortForwardingL}, {@code setPortForwardingR} with JSch connecting locally,
 * {@code getStreamForwarder}) are not used: channels carry our own streams. What follows is what
 * JSch needed to meet the SPI, read from its source.
 *
 * <h2>Half-close</h2>
 * <ul>
 *   <li>Sending EOF: writes go through {@code Channel.getOutputStream()}, whose {@code close()}
 *       flushes and sends {@code SSH_MSG_CHANNEL_EOF} only; the channel stays open for reading. A
 *       channel is never given an input stream for JSch to pump ({@code setInputStream} on a
 *       direct channel, or a daemon's output pipe): at -1 JSch sends EOF and CLOSE at once, and the
 *       reply is lost.
 *   <li>Seeing EOF: the channel's {@code io.out} is our {@code Inbound}. JSch closes it on the
 *       peer's EOF ({@code eof_remote}) and on CLOSE ({@code disconnect}); {@code Channel.isClosed()}
 *       tells the two apart, so {@code read} gives -1 after the last byte on EOF and an error on a
 *       CLOSE without EOF.
 *   <li>Forwarded channels: JSch's channel thread reads {@code io.in} in a loop and sends EOF and
 *       CLOSE at -1. Our {@code ForwardedGate} is that {@code io.in}: it never gives data, its first
 *       read says the open was confirmed (the handler starts then, not before: data before the
 *       confirmation would be dropped by the server), and it returns -1 only after our close.
 * </ul>
 *
 * <h2>Channel open failures</h2>
 * JSch keeps the reason code of {@code SSH_MSG_CHANNEL_OPEN_FAILURE} ({@code getExitStatus()}) and
 * skips the description, where OpenSSH puts "Connection refused", "No route to host", "Network is
 * unreachable" (code 2 for all). No public API gives it, and the module is not open to reflection,
 * so {@code aes128-gcm@openssh.com}, {@code aes256-gcm@openssh.com} and
 * {@code chacha20-poly1305@openssh.com} are configured to our own ciphers
 * ({@code caret.transport.jsch.byname}, exported to {@code com.jcraft.jsch} only): the same
 * constructions as JSch's (AES/GCM from the JCE; ChaCha20 from the JCE, which HotSpot runs with
 * intrinsics, where JSch's is Bouncy Castle's plain Java, and the JDK's Poly1305 where the JVM opens
 * {@code com.sun.crypto.provider} to this module, as {@code ./caret} does, else Bouncy Castle's), which also
 * show each decrypted payload to {@code PacketTap} (one byte compared per packet). It keeps the text
 * for channel ids an open waits on (JSch channel ids are unique per JVM). AES-GCM is offered first;
 * if a server negotiates AES-CTR the text is empty and the reason is classified from the code alone.
 *
 * <h2>Listening, port 0</h2>
 * {@code setPortForwardingR(bind, port, daemonClass, args)} routes the port's channels to
 * {@code ForwardedDaemon}, which hands them to the listen in {@code args}. JSch registers a daemon
 * under the port asked for, so for port 0 its channels (naming the allocated port) match nothing.
 * So port 0 is learnt first with {@code setPortForwardingR(bind, 0, token, 0, socketFactory)} (the
 * only variant that records the allocated port; its factory refuses every connection, JSch never
 * connects anywhere), read from {@code getPortForwardingR()}, cancelled, and asked for again by
 * number with the daemon, before {@code listen} returns (no client knows the port yet; if another
 * program took it meanwhile, this starts over, three times at most). A refused request is a
 * {@code RemoteBindException}. JSch wakes the thread waiting for a global request's reply with
 * {@code Thread.interrupt()} and may leave the flag set: every request runs on a virtual thread of
 * its own. Known limit: JSch pairs any global reply with the pending request, so a keepalive reply
 * arriving just before the {@code tcpip-forward} reply could be taken as a refusal.
 *
 * <h2>Close while writing ("data packet referred to nonexistent channel N")</h2>
 * {@code Session.write(packet, channel, len)} waits for the peer's window in {@code c.wait(100)},
 * which releases the channel's monitor. A {@code disconnect()} from another thread then sends CLOSE;
 * when the writer wakes to a window that a {@code WINDOW_ADJUST} (applied before the channel left
 * the session's list) opened meanwhile, it sends its DATA after the CLOSE. OpenSSH has freed the
 * channel once it got our CLOSE and sent its own, and ends the whole session. Fix: one owner per
 * channel ({@code JschChannel}): {@code close()} never disconnects while a write or EOF is in
 * progress; it marks the channel closing, wakes the reader, and the writer disconnects as soon as
 * its JSch call returns. The price: a writer blocked on a window the peer never opens is not woken
 * by {@code close()} (JSch swallows interrupts there and offers no other wake-up); it ends when the
 * window opens or the connection closes.
 *
 * <p>JSch's own session thread races the same way when the server closes a channel we are writing
 * to (its destination hung up): it answers the server's CLOSE at once, and a writer woken just
 * before by a {@code WINDOW_ADJUST} sends its DATA after that. {@code PacketTap} sees the server's
 * CLOSE as it is decrypted, before JSch reads it, and runs the channel's hook there: no new write
 * begins, and the session thread waits for the write in progress to return, at most 200 ms (a writer
 * still short of window stays in JSch until the CLOSE is handled, then fails; the session reads
 * nothing else meanwhile). This needs our ciphers, so it holds for AES-GCM and chacha20-poly1305;
 * with AES-CTR (JSch's own classes, offered last) the race is still there. Tested by
 * {@code survivesChannelsTheServerClosesWhileTheirWritersRun}, which lost the connection in every
 * run without the hook, and again with chacha20-poly1305 in {@code JschChaCha20Test}.
 *
 * <h2>Key renewal ("Bad packet length … Connection corrupted")</h2>
 * On the server's NEWKEYS, JSch's session thread sends its own NEWKEYS under the session's write
 * lock, releases it, and only then installs the new outgoing cipher ({@code updateKeys}). A writer
 * that passed JSch's "no key exchange in progress" check before the exchange began, and waited for
 * the lock since, can take it in that gap and encrypt DATA with the old keys; sshd then drops the
 * connection. Seen once in a benchmark run (chacha20-poly1305, which OpenSSH renews every GiB, 64
 * streams). With 64 streams for 25 s against {@code RekeyLimit 1M} and four busy loops on two
 * cores it happened in 10 runs out of 13. Our ciphers hand such a packet to the new keys
 * ({@code KeyRenewal}): in 13 runs since, none was corrupted, and the debug log showed one to
 * three packets per run handed over, after some 40 µs. With AES-CTR (JSch's own classes, offered last)
 * the race is still there. Tested step by step in {@code KeyRenewalTest}, and under load by
 * {@code carriesParallelStreamsIntactAcrossKeyRenewals} (which does not catch the race reliably).
 *
 * <h2>Flow control, window and packet size</h2>
 * JSch gives the peer more window as soon as a data packet is handed to {@code io.out}, so
 * {@code Inbound} bounds unread input itself (1 MiB per channel, memory per packet): when full it
 * blocks JSch's session thread, which pauses every channel of that connection until the reader
 * takes some, as JSch's own piped streams do. JSch gives a forwarding channel a 128 KiB local
 * window and 16 KiB packets; the channels we open ({@code direct-tcpip}: local and dynamic
 * forwards, the jump host's hop) offer OpenSSH's 2 MiB and 32 KiB instead, through JSch's public
 * setters before the open. With 128 KiB the server sends 64 KiB at a time and then waits for our
 * {@code WINDOW_ADJUST}. Measured on loopback, one stream, aes128-gcm, 2 cores, side by side: 350-470
 * MB/s down with JSch's sizes, 580-830 with OpenSSH's (ssh 750-930); CPU per GiB about 2.3 s
 * against 1.1-1.5 s. A channel the server opens (a reverse forward's) keeps JSch's sizes: JSch
 * marks it connected when it creates it, and its setters then refuse.
 *
 * <p>Outgoing, JSch builds each data packet in a buffer of the server's packet size that also holds
 * the message's header and room for padding and the MAC, so with OpenSSH's 32 KiB a packet carries
 * at most 32,626 bytes of data ({@code JschChannel.PACKET_DATA}). The channels say so
 * ({@code packetDataSize()}), and the engine reads a stream in pieces of that size, each one
 * packet; a 32 KiB read went out as a full packet and one of about a hundred bytes, which sshd
 * decrypts and hands on as well (one stream's upload, aes128-gcm: 716 → 868 MB/s, ssh 1,191).
 * Through a jump host the target's channels carry 142 bytes less, so that each packet of the
 * target's session is one packet to the jump host too.
 *
 * <h2>Through a jump host</h2>
 * With {@link caret.spi.ConnectionSettings#jumpHost()} the jump host is connected first, exactly as
 * a direct connection (its own settings, host key check, authentication, keepalive). The target's
 * JSch session then gets a {@code Proxy} ({@code JumpProxy}) instead of a socket: its byte stream is
 * a {@code direct-tcpip} channel of the jump host's connection to the target, named as the user
 * wrote it (the jump host resolves it). No local socket, no listening port; JSch (2.28.8) has no
 * ProxyJump of its own, {@code Session.setProxy} is its way to run a session over any stream. The
 * target's host key is checked against the target's own name ({@code HostKeys} gets the target's
 * settings). JSch sets its read timeouts on the proxy's socket (the connect timeout during the
 * handshake, the keepalive interval after it); the proxy hands it a stand-in socket that only keeps
 * that value, and its input stream honours it, so the handshake timeout and keepalive work.
 *
 * <p>The socket to a server acknowledges every read at once ({@code PromptAcks},
 * {@code TCP_QUICKACK} on Linux): OpenSSH's sshd leaves Nagle on for a connection without a
 * terminal, so its small packets wait for our ACK. Through a jump host, with JSch's small windows,
 * the tail of nearly every target packet otherwise waited for the 40 ms delayed ACK (32 MiB down
 * took 13 s instead of 0.2 s); on any connection a new forwarded connection's few small packets
 * did (10,000 one-byte exchanges through a reverse forward: about 100 s, with quick ACKs about 20 s).
 *
 * <p>The target's connection owns the jump host's: closing it closes both. When the jump host's
 * connection ends, JSch closes its channels, the target's session reads the end of its stream and
 * ends, and its drop listeners hear {@code Connection to db:22 lost: the connection to jump host
 * bastion:22 was lost (...)}. Failures name the hop ({@code Hop}), as in transport-sshd; a channel
 * the jump host does not open is {@code Jump host bastion:22 could not connect to db:22: ...}
 * ({@link caret.spi.TransportException.Reason#UNREACHABLE}). One hop only.
 *
 * <h2>Threads</h2>
 * Per connection: JSch's session thread (a platform daemon thread from {@code SessionThreads}; its
 * end is the drop signal, and the exception it logged is the drop's cause), a virtual thread per
 * incoming forwarded channel, a virtual thread per handler. All end with the connection.
 * Keepalive is JSch's {@code ServerAliveInterval}/{@code ServerAliveCountMax}, sent from the
 * session thread under the session's write lock. A writer blocked in a socket write to a frozen
 * server holds that lock, so the probe is never sent and never missed; {@code StallWatch} sees
 * the socket's streams and drops the connection when a write has been blocked and nothing has been
 * read for interval &times; (count + 1).
 */
package caret.transport.jsch;
