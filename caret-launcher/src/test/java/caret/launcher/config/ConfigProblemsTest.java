package caret.launcher.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of mistake, with the line, column, path and words the user sees. */
class ConfigProblemsTest {

    @TempDir
    Path folder;

    private List<String> problems(String json) throws Exception {
        return new ConfigFiles(folder).problems(json);
    }

    @Test
    void aMissingCommaIsASyntaxErrorAtTheNextProperty() throws Exception {
        assertEquals(List.of("caret.json:3:3 at $: missing comma: put a comma after the previous property, before this one"), problems("""
                {
                  "onEvent": "x"
                  "servers": {}
                }
                """));
    }

    @Test
    void aTrailingCommaIsNamedAsSuch() throws Exception {
        assertEquals(List.of("caret.json:4:3 at $.servers: trailing comma: the last property before } has a comma after it; remove that comma"), problems("""
                {
                  "servers": {
                    "a": {"host": "h"},
                  }
                }
                """));
        assertEquals(List.of("caret.json:1:52 at $.servers.a.identities: trailing comma: the last item before ] has a comma after it; remove that comma"),
                problems("{\"servers\": {\"a\": {\"host\": \"h\", \"identities\": [\"k\",]}}}"));
    }

    @Test
    void otherSyntaxErrorsAreSaidInPlainWords() throws Exception {
        assertEquals(List.of("caret.json:1:2 at $: expected a property name in double quotes, e.g. \"host\"; JSON needs quotes around every name"),
                problems("{servers: {}}"));
        assertEquals(List.of("caret.json:1:28 at $.servers.a.host: text must be in double quotes, e.g. \"db.example.com\"; the only bare words in JSON are true, false and null"),
                problems("{\"servers\": {\"a\": {\"host\": db.example.com}}}"));
        assertEquals(List.of("caret.json:1:1 at $: JSON has no comments; remove the comment"), problems("// mine\n{}"));
        assertEquals(List.of("caret.json:2:1 at $: the file ends inside an object: a closing } is missing"),
                problems("{\"servers\": {\"a\": {\"host\": \"h\"}}\n"));
        assertEquals(List.of("caret.json:1:28 at $.servers.a.host: single quotes are not JSON; use double quotes: \"name\": \"value\""),
                problems("{\"servers\": {\"a\": {\"host\": 'h'}}}"));
        assertEquals(List.of("caret.json:1:4 at $: there is more after the end of the top-level value; everything belongs in one {…}, so remove this or move it inside"),
                problems("{} {}"));
        assertEquals(List.of("caret.json: the file is empty; write {\"servers\": {…}} as shown in docs/configuration.md"), problems(" \n"));
    }

    @Test
    void anUnknownKeySuggestsTheRightOne() throws Exception {
        List<String> problems = problems("""
                {"servers": {"a": {
                  "host": "h",
                  "identityFile": ["k"],
                  "forwards": {"f": {"kind": "local", "spec": "1:h:2", "type": "local"}}
                }}}
                """);

        assertEquals(List.of(
                "caret.json:3:3 at $.servers.a.identityFile: unknown property \"identityFile\"; did you mean \"identities\"? Allowed here: host, port, user,"
                        + " identities, knownHosts, hostKeyPolicy, keepaliveInterval, keepaliveCountMax, connectTimeout, transport, proxyJump, onEvent, forwards",
                "caret.json:4:56 at $.servers.a.forwards.f.type: unknown property \"type\"; did you mean \"kind\"? Allowed here: kind, enabled, options, spec,"
                        + " localPort, remotePort, destinationHost, destinationPort, bindAddress, localAddress"), problems);
        assertEquals("caret.json:1:20 at $.servers.a.hostname: unknown property \"hostname\"; did you mean \"host\"? Allowed here: host, port, user,"
                        + " identities, knownHosts, hostKeyPolicy, keepaliveInterval, keepaliveCountMax, connectTimeout, transport, proxyJump, onEvent, forwards",
                problems("{\"servers\": {\"a\": {\"hostname\": \"h\", \"host\": \"h\"}}}").getFirst());
        assertEquals("caret.json:1:2 at $.server: unknown property \"server\"; did you mean \"servers\"? Allowed here: $schema, onEvent, servers",
                problems("{\"server\": {}, \"servers\": {\"a\": {\"host\": \"h\"}}}").getFirst());
    }

    @Test
    void aValueOfTheWrongTypeSaysWhatItIsAndWhatToWrite() throws Exception {
        assertEquals(List.of(
                        "caret.json:1:41 at $.servers.a.port: \"22\" is text, not a whole number; use a port from 1 to 65535",
                        "caret.json:1:61 at $.servers.a.identities: \"~/.ssh/id\" is text, not a list; use a list of file paths, e.g. [\"~/.ssh/id_ed25519\"];"
                                + " ~/ stands for your home folder and other relative paths start at the folder of this file",
                        "caret.json:1:82 at $.servers.a.user: null is not allowed here; use the user name to log in as, e.g. deploy; default: your local user name"),
                problems("{\"servers\": {\"a\": {\"host\": \"h\", \"port\": \"22\", \"identities\": \"~/.ssh/id\", \"user\": null}}}"));
    }

    @Test
    void anOutOfRangePortSaysTheRange() throws Exception {
        assertEquals(List.of("caret.json:4:18 at $.servers.db-prod.forwards.web.localPort: 70000 is out of range; use a port from 1 to 65535 (0 lets the system pick)"),
                problems("""
                        {"servers": {"db-prod": {
                          "host": "db.example.com",
                          "forwards": {"web": {
                            "localPort": 70000, "kind": "local", "destinationHost": "127.0.0.1", "destinationPort": 80}}
                        }}}
                        """));
        assertEquals(List.of("caret.json:1:41 at $.servers.a.port: 0 is out of range; use a port from 1 to 65535"),
                problems("{\"servers\": {\"a\": {\"host\": \"h\", \"port\": 0}}}"));
    }

    /** The schema validator compares a floating-point number with a whole-number bound as a long; these are not longs. */
    @Test
    void aNumberTooLargeForALongIsOutOfRangeToo() throws Exception {
        assertEquals(List.of("caret.json:1:41 at $.servers.a.port: 8.0E80 is out of range; use a port from 1 to 65535"),
                problems("{\"servers\": {\"a\": {\"host\": \"h\", \"port\": 8e80}}}"));
        assertEquals(List.of("caret.json:1:41 at $.servers.a.port: -1.0E19 is out of range; use a port from 1 to 65535"),
                problems("{\"servers\": {\"a\": {\"host\": \"h\", \"port\": -1e19}}}"));
        assertEquals(List.of("caret.json:1:41 at $.servers.a.port: a number beyond any double is out of range; use a port from 1 to 65535"),
                problems("{\"servers\": {\"a\": {\"host\": \"h\", \"port\": 1e400}}}"));
        assertEquals(List.of("caret.json:1:41 at $.servers.a.port: 100000000000000000000000 is out of range; use a port from 1 to 65535"),
                problems("{\"servers\": {\"a\": {\"host\": \"h\", \"port\": 100000000000000000000000}}}"));
    }

    @Test
    void aBadNameIsShownAtTheName() throws Exception {
        assertEquals(List.of(
                        "caret.json:2:3 at $.servers['db prod']: \"db prod\" is not a valid name; use a name of at most 64 letters, digits, '.', '_' and '-'"
                                + " that starts with a letter or digit, e.g. db-prod",
                        "caret.json:2:41 at $.servers['db prod'].forwards['-web']: \"-web\" is not a valid name; use a name of at most 64 letters, digits, '.',"
                                + " '_' and '-' that starts with a letter or digit, e.g. db-prod"),
                problems("""
                        {"servers": {
                          "db prod": {"host": "h", "forwards": {"-web": {"kind": "dynamic", "spec": "0"}}}
                        }}
                        """));
    }

    @Test
    void aMissingHostPointsAtTheServer() throws Exception {
        assertEquals(List.of("caret.json:2:8 at $.servers.a: \"host\" is missing; add it, e.g. \"host\": \"db.example.com\""),
                problems("{\"servers\": {\n  \"a\": {\"port\": 22}}}"));
    }

    @Test
    void anEmptyServersIsAnErrorAndSoIsNone() throws Exception {
        assertEquals(List.of("caret.json:1:13 at $.servers: {} has nothing in it; use an object that maps each server's name to its settings, with at least one server"),
                problems("{\"servers\": {}}"));
        assertEquals(List.of("caret.json:1:1 at $: \"servers\" is missing; add it, e.g. \"servers\": {\"db-prod\":{\"host\":\"db.example.com\","
                        + "\"forwards\":{\"db\":{\"kind\":\"local\",\"spec\":\"5432:127.0.0.1:5432\"}}}}"),
                problems("{}"));
    }

    @Test
    void bothSpecAndFieldsIsAnError() throws Exception {
        assertEquals(List.of("caret.json:1:86 at $.servers.a.forwards.f.localPort: both \"spec\" and fields (localPort) are given; keep one: either \"spec\" or the fields"),
                problems("{\"servers\": {\"a\": {\"host\": \"h\", \"forwards\": {\"f\": {\"kind\": \"local\", \"spec\": \"1:h:2\", \"localPort\": 1}}}}}"));
    }

    @Test
    void fieldsOfAnotherKindAreNamedWithTheFieldsThisKindTakes() throws Exception {
        assertEquals(List.of(
                        "caret.json:1:69 at $.servers.a.forwards.f.remotePort: \"remotePort\" is not a field of a local forward, which takes localPort,"
                                + " destinationHost, destinationPort and optionally bindAddress; did you mean \"localPort\"?"),
                problems("{\"servers\": {\"a\": {\"host\": \"h\", \"forwards\": {\"f\": {\"kind\": \"local\", \"remotePort\": 1, \"localPort\": 1,"
                        + " \"destinationHost\": \"d\", \"destinationPort\": 2}}}}}"));
        assertEquals(List.of(
                        "caret.json:1:51 at $.servers.a.forwards.f: a dynamic forward needs \"spec\", e.g. \"spec\": \"1080\", or the fields localPort and optionally localAddress",
                        "caret.json:1:71 at $.servers.a.forwards.f.bindAddress: \"bindAddress\" is not a field of a dynamic forward, which takes localPort and"
                                + " optionally localAddress; did you mean \"localAddress\"?"),
                problems("{\"servers\": {\"a\": {\"host\": \"h\", \"forwards\": {\"f\": {\"kind\": \"dynamic\", \"bindAddress\": \"::1\"}}}}}"));
        assertEquals(List.of("caret.json:1:51 at $.servers.a.forwards.f: \"destinationPort\" is missing; a local forward given by fields needs localPort,"
                        + " destinationHost, destinationPort and optionally bindAddress"),
                problems("{\"servers\": {\"a\": {\"host\": \"h\", \"forwards\": {\"f\": {\"kind\": \"local\", \"localPort\": 1, \"destinationHost\": \"d\"}}}}}"));
    }

    @Test
    void aPluginKindTakesOnlyASpec() throws Exception {
        ConfigContext withPlugin = new ConfigContext(Set.of("local", "http-proxy"), Set.of("sshd"), (kind, spec, options) -> { });
        assertEquals(List.of(
                        "caret.json:1:51 at $.servers.a.forwards.p: a forward of kind \"http-proxy\" needs \"spec\": the text you would give to --forward http-proxy=SPEC",
                        "caret.json:1:74 at $.servers.a.forwards.p.localPort: \"localPort\" is a field of the built-in kinds only; write a forward of kind"
                                + " \"http-proxy\" as \"spec\": the text you would give to --forward http-proxy=SPEC"),
                new ConfigFiles(folder).problems("{\"servers\": {\"a\": {\"host\": \"h\", \"forwards\": {\"p\": {\"kind\": \"http-proxy\", \"localPort\": 8080}}}}}",
                        withPlugin));
    }

    @Test
    void anUnknownKindListsTheInstalledOnes() throws Exception {
        assertEquals(List.of("caret.json:1:60 at $.servers.a.forwards.f.kind: no forward type \"lcoal\" is installed; did you mean \"local\"?"
                        + " Installed: dynamic, local, reverse (see 'caret plugins')"),
                problems("{\"servers\": {\"a\": {\"host\": \"h\", \"forwards\": {\"f\": {\"kind\": \"lcoal\", \"spec\": \"1:h:2\"}}}}}"));
        assertEquals(List.of("caret.json:1:60 at $.servers.a.forwards.f.kind: no forward type \"http-proxy\" is installed; installed: dynamic, local, reverse"
                        + " (see 'caret plugins')"),
                problems("{\"servers\": {\"a\": {\"host\": \"h\", \"forwards\": {\"f\": {\"kind\": \"http-proxy\", \"spec\": \"8080\"}}}}}"));
    }

    @Test
    void anUnknownTransportListsTheInstalledOnes() throws Exception {
        assertEquals(List.of("caret.json:1:46 at $.servers.a.transport: no transport \"jcsh\" is installed; did you mean \"jsch\"? Installed: jsch, sshd"
                        + " (see 'caret plugins')"),
                problems("{\"servers\": {\"a\": {\"host\": \"h\", \"transport\": \"jcsh\"}}}"));
    }

    @Test
    void aBadHostKeyPolicyListsTheFourValues() throws Exception {
        assertEquals(List.of("caret.json:1:50 at $.servers.a.hostKeyPolicy: \"off\" is not allowed; use one of ask, yes, accept-new or no: what to do"
                        + " with a host key that is not in known_hosts, as OpenSSH's StrictHostKeyChecking; default ask"),
                problems("{\"servers\": {\"a\": {\"host\": \"h\", \"hostKeyPolicy\": \"off\"}}}"));
    }

    @Test
    void aDuplicateKeyIsRefusedAndReadingGoesOn() throws Exception {
        assertEquals(List.of(
                        "caret.json:3:5 at $.servers.a.host: \"host\" appears a second time in this object (first at line 2, column 9); keep only one",
                        "caret.json:4:13 at $.servers.a.port: 0 is out of range; use a port from 1 to 65535",
                        "caret.json:6:3 at $.servers.a: \"a\" appears a second time in this object (first at line 2, column 3); keep only one"),
                problems("""
                        {"servers": {
                          "a": {"host": "one",
                            "host": "two",
                            "port": 0
                          },
                          "a": {"host": "three"}
                        }}
                        """));
    }

    @Test
    void theEnginesSpecCheckSpeaksAtTheSpec() throws Exception {
        assertEquals(List.of("caret.json:1:77 at $.servers.a.forwards.f.spec: Bad local forward '5432:127.0.0.1': it has 2 fields, not 3 or 4;"
                        + " expected [bind_address:]port:host:hostport"),
                problems("{\"servers\": {\"a\": {\"host\": \"h\", \"forwards\": {\"f\": {\"kind\": \"local\", \"spec\": \"5432:127.0.0.1\"}}}}}"));
        ConfigContext refusing = new ConfigContext(Set.of("local"), Set.of("sshd"), (kind, spec, options) -> {
            throw new IllegalArgumentException("refused " + spec);
        });
        assertEquals(List.of("caret.json:1:51 at $.servers.a.forwards.f: refused 1:d:2 (the spec made from the fields)"),
                new ConfigFiles(folder).problems("{\"servers\": {\"a\": {\"host\": \"h\", \"forwards\": {\"f\": {\"kind\": \"local\", \"localPort\": 1,"
                        + " \"destinationHost\": \"d\", \"destinationPort\": 2}}}}}", refusing));
    }

    @Test
    void pathsAndJumpHostsAreCheckedBeyondTheSchema() throws Exception {
        assertEquals(List.of(
                        "caret.json:1:55 at $.servers.a.identities[1]: only ~/ is expanded (your home folder), not ~user; write the full path, e.g. \"/home/bob/…\"",
                        "caret.json:1:79 at $.servers.a.proxyJump: port 70000 is out of range; use a port from 1 to 65535, e.g. \"deploy@bastion.example.com:22\""),
                problems("{\"servers\": {\"a\": {\"host\": \"h\", \"identities\": [\"~/k\", \"~bob/k\"], \"proxyJump\": \"j:70000\"}}}"));
        assertEquals(List.of("caret.json:1:46 at $.servers.a.proxyJump: \"a,b\" is not allowed; use one jump host as [user@]host[:port], e.g."
                        + " deploy@bastion.example.com:22 (OpenSSH's ProxyJump)"),
                problems("{\"servers\": {\"a\": {\"host\": \"h\", \"proxyJump\": \"a,b\"}}}"));
    }

    @Test
    void everyProblemInTheFileIsReportedInFileOrder() throws Exception {
        List<String> problems = problems("""
                {
                  "servers": {
                    "db": {
                      "hostname": "db.example.com",
                      "port": 70000,
                      "transport": "mina",
                      "hostKeyPolicy": "maybe",
                      "forwards": {
                        "pg": {"kind": "local", "spec": "5432:127.0.0.1:5432", "localPort": 5432},
                        "socks": {"kind": "dynamic", "spec": "nope"},
                        "x": {"kind": "reverse", "enabled": "yes", "spec": "0:127.0.0.1:80"}
                      }
                    }
                  }
                }
                """);

        assertEquals(List.of(
                "caret.json:3:11 at $.servers.db: \"host\" is missing; add it, e.g. \"host\": \"db.example.com\"",
                "caret.json:4:7 at $.servers.db.hostname: unknown property \"hostname\"; did you mean \"host\"? Allowed here: host, port, user, identities,"
                        + " knownHosts, hostKeyPolicy, keepaliveInterval, keepaliveCountMax, connectTimeout, transport, proxyJump, onEvent, forwards",
                "caret.json:5:15 at $.servers.db.port: 70000 is out of range; use a port from 1 to 65535",
                "caret.json:6:20 at $.servers.db.transport: no transport \"mina\" is installed; installed: jsch, sshd (see 'caret plugins')",
                "caret.json:7:24 at $.servers.db.hostKeyPolicy: \"maybe\" is not allowed; use one of ask, yes, accept-new or no: what to do with a host key"
                        + " that is not in known_hosts, as OpenSSH's StrictHostKeyChecking; default ask",
                "caret.json:9:64 at $.servers.db.forwards.pg.localPort: both \"spec\" and fields (localPort) are given; keep one: either \"spec\" or the fields",
                "caret.json:10:46 at $.servers.db.forwards.socks.spec: Bad dynamic forward 'nope': port 'nope' is not a port number (0 to 65535); expected"
                        + " [bind_address:]port",
                "caret.json:11:45 at $.servers.db.forwards.x.enabled: \"yes\" is text, not true or false; use true or false: whether 'caret up' starts"
                        + " this forward; default true"), problems);
    }
}
