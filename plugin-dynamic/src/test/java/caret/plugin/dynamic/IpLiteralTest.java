package caret.plugin.dynamic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** IP addresses become the text RFC 5952 recommends, with no lookup. */
class IpLiteralTest {

    @ParameterizedTest
    @CsvSource({
        "::1, ::1",
        "::, ::",
        "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "1:0:0:0:0:0:0:0, 1::",
        "FE80:0:0:0:ABCD:0:0:0, fe80::abcd:0:0:0",
    })
    void writesIpv6InItsShortestForm(String address, String expected) {
        assertEquals(expected, IpLiteral.of(InetAddress.ofLiteral(address)));
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.1", "0.0.0.0", "255.255.255.255", "192.0.2.200"})
    void writesIpv4Dotted(String address) {
        assertEquals(address, IpLiteral.of(InetAddress.ofLiteral(address)));
    }
}
