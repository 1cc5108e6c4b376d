package caret.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The forward spec syntax, {@code [bind_address:]port:host:hostport}, against generated input:
 * every well-formed spec reads back as written, and any text at all is either a spec or an
 * {@link InvalidSpecException} that names it, never another exception.
 */
class SpecSyntaxPropertiesTest {

    private static final String USAGE = "[bind_address:]port:host:hostport";

    @Property(tries = 2000)
    void aWellFormedSpecReadsBackAsWritten(@ForAll("binds") String bind, @ForAll @IntRange(min = 0, max = 65535) int port,
            @ForAll("hosts") String host, @ForAll @IntRange(min = 1, max = 65535) int hostPort) throws InvalidSpecException {
        String text = (bind == null ? "" : bracketed(bind) + ":") + port + ":" + bracketed(host) + ":" + hostPort;
        ForwardSpec spec = SpecSyntax.listenAndTarget("local", "local forward", text, USAGE);
        assertEquals(bind == null ? null : (bind.isEmpty() ? "*" : bind), spec.bindAddress(), text);
        assertEquals(port, spec.port(), text);
        assertEquals(new Endpoint(host, hostPort), spec.destination().orElseThrow(), text);
        assertEquals(text, spec.text());
    }

    @Property(tries = 5000)
    void anyTextIsASpecOrAnErrorThatNamesIt(@ForAll("texts") String text) {
        try {
            ForwardSpec spec = SpecSyntax.listenAndTarget("local", "local forward", text, USAGE);
            assertTrue(spec.port() >= 0 && spec.port() <= 65535, text);
        } catch (InvalidSpecException e) {
            assertTrue(e.getMessage().startsWith("Bad local forward '" + text + "'"), e.getMessage());
            assertTrue(e.getMessage().endsWith("expected " + USAGE), e.getMessage());
        }
    }

    @Provide
    Arbitrary<String> binds() {
        return Arbitraries.oneOf(Arbitraries.just(null), Arbitraries.just(""), Arbitraries.just("*"), hosts());
    }

    @Provide
    Arbitrary<String> hosts() {
        Arbitrary<String> name = Arbitraries.strings().withCharRange('a', 'z').withChars('-', '.').ofMinLength(1).ofMaxLength(30)
                .filter(s -> Character.isLetter(s.charAt(0)));
        Arbitrary<String> ipv4 = Arbitraries.integers().between(0, 255).list().ofSize(4)
                .map(l -> l.get(0) + "." + l.get(1) + "." + l.get(2) + "." + l.get(3));
        Arbitrary<String> ipv6 = Arbitraries.integers().between(0, 0xffff).list().ofSize(8)
                .map(l -> String.join(":", l.stream().map(Integer::toHexString).toList()));
        return Arbitraries.oneOf(name, ipv4, ipv6, Arbitraries.just("::1"), Arbitraries.just("localhost"));
    }

    /** Free text, and text made of the spec's own pieces (digits, colons, brackets, slashes, spaces), which finds more edges. */
    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> pieces = Arbitraries.of("", ":", "::", "[", "]", "*", "/", " ", "0", "1", "65535", "65536", "99999",
                "-1", "08080", "db", "127.0.0.1", "::1", "[::1]", "é", "\t", "\u0000").list().ofMaxSize(9)
                .map(l -> String.join("", l));
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(40), pieces,
                Combinators.combine(pieces, Arbitraries.strings().ofMaxLength(5)).as((a, b) -> a + b));
    }

    private static String bracketed(String host) {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }
}
