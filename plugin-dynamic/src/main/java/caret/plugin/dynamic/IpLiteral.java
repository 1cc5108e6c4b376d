package caret.plugin.dynamic;

import java.net.Inet6Address;
import java.net.InetAddress;

/** Writes IP addresses as literals, without any name lookup. */
final class IpLiteral {

    private IpLiteral() {
    }

    /** An address as text: dotted IPv4, or IPv6 as {@link #ipv6} writes it. */
    static String of(InetAddress address) {
        return address instanceof Inet6Address ? ipv6(address.getAddress()) : ipv4(address.getAddress(), 0);
    }

    /** Four bytes from {@code offset} as a dotted IPv4 address. */
    static String ipv4(byte[] bytes, int offset) {
        return (bytes[offset] & 0xFF) + "." + (bytes[offset + 1] & 0xFF) + "." + (bytes[offset + 2] & 0xFF)
                + "." + (bytes[offset + 3] & 0xFF);
    }

    /**
     * Sixteen bytes as an IPv6 address in the RFC 5952 form: lowercase hex without leading zeros,
     * the longest run of two or more zero groups (the first of equals) written {@code ::}.
     */
    static String ipv6(byte[] address) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (address[2 * i] & 0xFF) << 8 | (address[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLength = 1;
        int i = 0;
        while (i < 8) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder text = new StringBuilder(39);
        for (int g = 0; g < 8; g++) {
            if (g == bestStart) {
                text.append("::");
                g += bestLength - 1;
            } else {
                if (!text.isEmpty() && text.charAt(text.length() - 1) != ':') {
                    text.append(':');
                }
                text.append(Integer.toHexString(groups[g]));
            }
        }
        return text.toString();
    }
}
