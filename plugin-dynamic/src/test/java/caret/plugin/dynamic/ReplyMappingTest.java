package caret.plugin.dynamic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import caret.spi.ChannelOpenException.Reason;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every reason a server gives for refusing a channel becomes the closest SOCKS reply. */
class ReplyMappingTest {

    /** The table in the plugin's documentation: RFC 1928 codes. */
    private static final Map<Reason, Integer> SOCKS5 = Map.of(
            Reason.PROHIBITED, 0x02,
            Reason.REFUSED, 0x05,
            Reason.NETWORK_UNREACHABLE, 0x03,
            Reason.HOST_UNREACHABLE, 0x04,
            Reason.TIMED_OUT, 0x06,
            Reason.UNKNOWN_CHANNEL_TYPE, 0x01,
            Reason.RESOURCE_SHORTAGE, 0x01,
            Reason.CONNECT_FAILED, 0x01);

    @Test
    void theTableCoversEveryReason() {
        assertEquals(EnumSet.allOf(Reason.class), EnumSet.copyOf(SOCKS5.keySet()));
    }

    @ParameterizedTest
    @EnumSource(Reason.class)
    void mapsEachReasonToItsSocks5Code(Reason reason) {
        assertEquals(SOCKS5.get(reason), Socks5Reply.forFailure(reason).code());
    }

    @ParameterizedTest
    @EnumSource(Reason.class)
    void sendsEachSocks5FailureOnTheWire(Reason reason) throws IOException {
        try (SocketPair pair = SocketPair.open()) {
            pair.send(Bytes.concat(Bytes.GREETING_NO_AUTH, Bytes.socks5Loopback(9)));
            SocksHandshake handshake = new SocksHandshake(pair.server(), Duration.ofSeconds(10), Optional.empty());
            handshake.readRequest();

            handshake.replyFailure(reason);

            assertArrayEquals(Bytes.METHOD_NO_AUTH, pair.receive(2));
            assertArrayEquals(Bytes.of(5, SOCKS5.get(reason), 0, 1, 0, 0, 0, 0, 0, 0), pair.receive(10));
        }
    }

    @ParameterizedTest
    @EnumSource(Reason.class)
    void sendsEachSocks4FailureOnTheWire(Reason reason) throws IOException {
        try (SocketPair pair = SocketPair.open()) {
            pair.send(Bytes.socks4Loopback(9));
            SocksHandshake handshake = new SocksHandshake(pair.server(), Duration.ofSeconds(10), Optional.empty());
            handshake.readRequest();

            handshake.replyFailure(reason);

            assertArrayEquals(Bytes.of(0, 0x5B, 0, 9, 127, 0, 0, 1), pair.receive(8));
        }
    }

    @Test
    void sendsGeneralFailureWhenTheConnectionBrokeRatherThanTheServerRefusing() throws IOException {
        try (SocketPair pair = SocketPair.open()) {
            pair.send(Bytes.concat(Bytes.GREETING_NO_AUTH, Bytes.socks5Loopback(9)));
            SocksHandshake handshake = new SocksHandshake(pair.server(), Duration.ofSeconds(10), Optional.empty());
            handshake.readRequest();

            handshake.replyFailure(null);

            pair.receive(2);
            assertArrayEquals(Bytes.of(5, 1, 0, 1, 0, 0, 0, 0, 0, 0), pair.receive(10));
        }
    }
}
