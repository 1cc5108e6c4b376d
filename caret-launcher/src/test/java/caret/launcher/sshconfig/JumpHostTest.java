package caret.launcher.sshconfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** ProxyJump and {@code -J} values, as OpenSSH's {@code parse_jump} reads them. */
class JumpHostTest {

    @Test
    void readsUserHostAndPortInEveryForm() {
        assertEquals(new JumpHost(Optional.empty(), "bastion", OptionalInt.empty()), JumpHost.parse("bastion"));
        assertEquals(new JumpHost(Optional.of("me"), "bastion", OptionalInt.of(2222)), JumpHost.parse("me@bastion:2222"));
        assertEquals(new JumpHost(Optional.of("me@corp"), "bastion", OptionalInt.empty()), JumpHost.parse("me@corp@bastion"));
        assertEquals(new JumpHost(Optional.empty(), "::1", OptionalInt.of(22)), JumpHost.parse("[::1]:22"));
        assertEquals(new JumpHost(Optional.empty(), "fe80::1", OptionalInt.empty()), JumpHost.parse("[fe80::1]"));
        assertEquals(new JumpHost(Optional.of("me"), "bastion", OptionalInt.of(2200)), JumpHost.parse("ssh://me@bastion:2200/"));
        assertEquals(new JumpHost(Optional.of("me"), "::1", OptionalInt.empty()), JumpHost.parse("ssh://me;fingerprint=x@[::1]"));
    }

    @Test
    void printsAsWritten() {
        assertEquals("me@[::1]:22", JumpHost.parse("me@[::1]:22").toString());
        assertEquals("bastion", JumpHost.parse("bastion").toString());
    }

    @Test
    void readsAChainHopByHop() {
        assertEquals(List.of(JumpHost.parse("a"), JumpHost.parse("u@b:2")), JumpHost.parseHops("a,u@b:2"));
    }

    @Test
    void rejectsMalformedValuesNamingThemAndTheForms() {
        assertEquals("'@bastion' is not a jump host: the user before '@' is empty; write [user@]host[:port] or ssh://[user@]host[:port]",
                assertThrows(IllegalArgumentException.class, () -> JumpHost.parse("@bastion")).getMessage());
        assertEquals("'bastion:ssh' is not a jump host: not a port number (1 to 65535); write [user@]host[:port] or ssh://[user@]host[:port]",
                assertThrows(IllegalArgumentException.class, () -> JumpHost.parse("bastion:ssh")).getMessage());
        assertEquals("'[::1' is not a jump host: the '[' is not closed; write [user@]host[:port] or ssh://[user@]host[:port]",
                assertThrows(IllegalArgumentException.class, () -> JumpHost.parse("[::1")).getMessage());
        assertEquals("'ssh://h/path' is not a jump host: an ssh:// jump host takes no path; write [user@]host[:port] or ssh://[user@]host[:port]",
                assertThrows(IllegalArgumentException.class, () -> JumpHost.parse("ssh://h/path")).getMessage());
        assertEquals("'a,b' names 2 jump hosts; Caret goes through one: write [user@]host[:port] or ssh://[user@]host[:port]",
                assertThrows(IllegalArgumentException.class, () -> JumpHost.parse("a,b")).getMessage());
    }
}
