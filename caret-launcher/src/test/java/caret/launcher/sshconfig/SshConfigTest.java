package caret.launcher.sshconfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import caret.core.HostKeyPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader against ssh_config(5) and readconf.c: keywords, blocks, first-wins and accumulating
 * values, Match, Include, tokens, and errors that name file:line. Host names are only ever matched
 * as text here; nothing is resolved.
 */
class SshConfigTest {

    private static final String LOCAL_USER = System.getProperty("user.name");

    @TempDir
    Path dir;

    Path home;
    Path cfg;

    @BeforeEach
    void home() throws IOException {
        home = dir.resolve("home");
        Files.createDirectories(home.resolve(".ssh"));
        cfg = dir.resolve("cfg");
    }

    // --- syntax

    @Test
    void readsKeywordsInAnyCaseWithSpaceOrEqualsAndQuotedValues() throws Exception {
        HostEntry entry = resolve("db",
                "HOSTNAME=db.internal",
                "port = 2222",
                "User\tbob",
                "identityfile \"/keys/with space/id\"",
                "IdentityFile='/keys/single quoted'",
                "IdentityFile /keys/escaped\\ space");
        assertEquals("db.internal", entry.hostName());
        assertEquals(2222, entry.port());
        assertEquals("bob", entry.user());
        assertEquals(Optional.of(List.of(Path.of("/keys/with space/id"), Path.of("/keys/single quoted"),
                Path.of("/keys/escaped space"))), entry.identityFiles());
    }

    @Test
    void skipsCommentsBlankLinesAndTrailingComments() throws Exception {
        HostEntry entry = resolve("db",
                "# a comment",
                "",
                "   ",
                "\t# indented comment",
                "Port 2200 # the port",
                "HostName a#b");
        assertEquals(2200, entry.port());
        assertEquals("a#b", entry.hostName());
    }

    @Test
    void ignoresKeywordsCaretDoesNotUse() throws Exception {
        HostEntry entry = resolve("db",
                "SendEnv LANG LC_*",
                "ForwardAgent yes",
                "ControlMaster auto",
                "NoSuchKeywordAtAll whatever",
                "Port 2201");
        assertEquals(2201, entry.port());
    }

    @Test
    void withoutLinesTheHostIsTheDestinationOnPort22AsTheLocalUser() throws Exception {
        HostEntry entry = SshConfig.read(write(), home, LOCAL_USER).resolve("plain", Overrides.none());
        assertEquals("plain", entry.hostName());
        assertEquals(22, entry.port());
        assertEquals(LOCAL_USER, entry.user());
        assertEquals(Optional.empty(), entry.identityFiles());
        assertEquals(List.of(), entry.forwards());
        assertEquals(Optional.empty(), entry.proxyJump());
    }

    @Test
    void readsEveryHonouredKeyword() throws Exception {
        HostEntry entry = resolve("mydb",
                "Host mydb",
                "  HostName 127.0.0.1",
                "  Port 2022",
                "  User deploy",
                "  IdentityFile ~/.ssh/id_db",
                "  UserKnownHostsFile ~/.ssh/known_db /keys/other_known",
                "  GlobalKnownHostsFile /etc/caret_known",
                "  StrictHostKeyChecking accept-new",
                "  ServerAliveInterval 1m30s",
                "  ServerAliveCountMax 5",
                "  ConnectTimeout 12",
                "  BatchMode yes",
                "  IdentitiesOnly yes",
                "  ExitOnForwardFailure yes",
                "  LocalForward 5432 127.0.0.1:5432",
                "  RemoteForward 8080 localhost:3000",
                "  DynamicForward 1080",
                "  ProxyJump jump@bastion:2222");
        assertEquals("127.0.0.1", entry.hostName());
        assertEquals(2022, entry.port());
        assertEquals("deploy", entry.user());
        assertEquals(Optional.of(List.of(home.resolve(".ssh/id_db"))), entry.identityFiles());
        assertEquals(Optional.of(List.of(home.resolve(".ssh/known_db"), Path.of("/keys/other_known"))), entry.userKnownHostsFiles());
        assertEquals(Optional.of(List.of(Path.of("/etc/caret_known"))), entry.globalKnownHostsFiles());
        assertEquals(Optional.of(HostKeyPolicy.ACCEPT_NEW), entry.strictHostKeyChecking());
        assertEquals(Optional.of(Duration.ofSeconds(90)), entry.serverAliveInterval());
        assertEquals(Optional.of(5), entry.serverAliveCountMax());
        assertEquals(Optional.of(Duration.ofSeconds(12)), entry.connectTimeout());
        assertEquals(Optional.of(true), entry.batchMode());
        assertEquals(Optional.of(true), entry.exitOnForwardFailure());
        assertEquals(List.of("local 5432:127.0.0.1:5432", "reverse 8080:localhost:3000", "dynamic 1080"), forwards(entry));
        assertEquals(Optional.of(new JumpHost(Optional.of("jump"), "bastion", OptionalInt.of(2222))), entry.proxyJump());
        assertEquals(List.of(), entry.warnings());
    }

    @Test
    void readsTheFlagsAndPoliciesAsSshSpellsThem() throws Exception {
        assertEquals(Optional.of(HostKeyPolicy.NO), resolve("h", "StrictHostKeyChecking off").strictHostKeyChecking());
        assertEquals(Optional.of(HostKeyPolicy.YES), resolve("h", "StrictHostKeyChecking true").strictHostKeyChecking());
        assertEquals(Optional.of(HostKeyPolicy.ASK), resolve("h", "StrictHostKeyChecking ASK").strictHostKeyChecking());
        assertEquals(Optional.of(false), resolve("h", "BatchMode False").batchMode());
        assertEquals(Optional.of(Duration.ofHours(2)), resolve("h", "ConnectTimeout 2h").connectTimeout());
        assertEquals(Optional.of(Duration.ZERO), resolve("h", "ServerAliveInterval 0").serverAliveInterval());
    }

    @Test
    void noneKeepsTheDefaultAndStopsLaterLines() throws Exception {
        HostEntry entry = resolve("h",
                "ConnectTimeout none",
                "ServerAliveInterval none",
                "UserKnownHostsFile none",
                "ConnectTimeout 5",
                "ServerAliveInterval 5",
                "UserKnownHostsFile /later");
        assertEquals(Optional.empty(), entry.connectTimeout());
        assertEquals(Optional.empty(), entry.serverAliveInterval());
        assertEquals(Optional.of(List.of()), entry.userKnownHostsFiles());
    }

    @Test
    void identityFileNoneNamesNoFileButStillReplacesTheDefaults() throws Exception {
        assertEquals(Optional.of(List.of()), resolve("h", "IdentityFile none").identityFiles());
        assertEquals(Optional.of(List.of(Path.of("/k"))), resolve("h", "IdentityFile none", "IdentityFile /k").identityFiles());
    }

    // --- Host blocks and precedence

    @Test
    void hostPatternsMatchWithWildcardsNegationAndSeveralPatterns() throws Exception {
        String[] config = {
                "Host !*.bad.example.org *.example.org db?",
                "  User matched",
                "Host *",
                "  User fallback"};
        assertEquals("matched", resolve("www.example.org", config).user());
        assertEquals("matched", resolve("db1", config).user());
        assertEquals("fallback", resolve("db12", config).user());
        assertEquals("fallback", resolve("x.bad.example.org", config).user());
        HostEntry upper = resolve("WWW.EXAMPLE.ORG", config);
        assertEquals("fallback", upper.user()); // Host compares as typed, as ssh does
        assertEquals("www.example.org", upper.hostName()); // and connects to the name in lower case
    }

    @Test
    void aNegatedPatternAloneMatchesNothing() throws Exception {
        assertEquals(LOCAL_USER, resolve("anything", "Host !other", "  User never").user());
    }

    @Test
    void theFirstValueObtainedWins() throws Exception {
        HostEntry entry = resolve("db",
                "Host db",
                "  Port 2000",
                "  User specific",
                "Host *",
                "  Port 22",
                "  User general",
                "  HostName general.example.org",
                "  ConnectTimeout 9");
        assertEquals(2000, entry.port());
        assertEquals("specific", entry.user());
        assertEquals("general.example.org", entry.hostName());
        assertEquals(Optional.of(Duration.ofSeconds(9)), entry.connectTimeout());
    }

    @Test
    void identityFilesAndForwardsAddUpAcrossBlocks() throws Exception {
        HostEntry entry = resolve("db",
                "Host db",
                "  IdentityFile /k/one",
                "  LocalForward 1 h:1",
                "Host d*",
                "  IdentityFile /k/two",
                "  LocalForward 2 h:2",
                "  DynamicForward 3",
                "Host *",
                "  RemoteForward 4 h:4");
        assertEquals(Optional.of(List.of(Path.of("/k/one"), Path.of("/k/two"))), entry.identityFiles());
        assertEquals(List.of("local 1:h:1", "local 2:h:2", "dynamic 3", "reverse 4:h:4"), forwards(entry));
    }

    @Test
    void theCommandLineWinsAndItsValuesFillTheTokens() throws Exception {
        SshConfig config = config(
                "Host db",
                "  HostName db.internal",
                "  User fromfile",
                "  Port 2000",
                "  IdentityFile /keys/%r@%h:%p");
        HostEntry entry = config.resolve("db", new Overrides(Optional.of("cli"), Optional.of(3000), false));
        assertEquals("cli", entry.user());
        assertEquals(3000, entry.port());
        assertEquals(Optional.of(List.of(Path.of("/keys/cli@db.internal:3000"))), entry.identityFiles());
    }

    @Test
    void forwardsBecomeTheSpecsOfTheCommandLine() throws Exception {
        HostEntry entry = resolve("h",
                "LocalForward [::1]:8080 [::2]:22",
                "LocalForward localhost:8081 db:5432",
                "LocalForward *:8082 db:5432",
                "LocalForward 0 127.0.0.1:80",
                "RemoteForward [::1]:0 [fe80::1]:3000",
                "DynamicForward [::1]:1080",
                "DynamicForward *:1081");
        assertEquals(List.of("local [::1]:8080:[::2]:22", "local localhost:8081:db:5432", "local *:8082:db:5432",
                "local 0:127.0.0.1:80", "reverse [::1]:0:[fe80::1]:3000", "dynamic [::1]:1080", "dynamic *:1081"), forwards(entry));
        assertEquals(new Origin(cfg, 1), entry.forwards().getFirst().origin());
    }

    // --- Match

    @Test
    void matchAllAppliesToEveryHost() throws Exception {
        assertEquals("everyone", resolve("x", "Host other", "  User no", "Match all", "  User everyone").user());
    }

    @Test
    void matchHostSeesTheHostNameSoFarAndOriginalHostTheAlias() throws Exception {
        String[] config = {
                "Host db",
                "  HostName db.internal.example.org",
                "Match host *.internal.example.org",
                "  User internal",
                "Match originalhost db",
                "  Port 2022"};
        HostEntry entry = resolve("db", config);
        assertEquals("internal", entry.user());
        assertEquals(2022, entry.port());
        assertEquals(LOCAL_USER, resolve("db.internal.example.org.other", config).user());
    }

    @Test
    void matchHostIgnoresCaseAndTakesAPatternList() throws Exception {
        String[] config = {"Match host=web*,!web2 ", "  User web"};
        assertEquals("web", resolve("WEB1", config).user());
        assertEquals(LOCAL_USER, resolve("web2", config).user());
    }

    @Test
    void matchUserSeesTheCommandLineUserElseTheOneSoFarAndLocalUserTheLocalOne() throws Exception {
        SshConfig config = config(
                "Match user admin",
                "  Port 2001",
                "Match localuser " + LOCAL_USER + " !user admin",
                "  ConnectTimeout 7");
        assertEquals(2001, config.resolve("h", new Overrides(Optional.of("admin"), Optional.empty(), false)).port());
        HostEntry asLocalUser = config.resolve("h", Overrides.none());
        assertEquals(22, asLocalUser.port());
        assertEquals(Optional.of(Duration.ofSeconds(7)), asLocalUser.connectTimeout());
        assertEquals(2001, resolve("h", "User admin", "Match user admin", "  Port 2001").port());
    }

    @Test
    void aNegatedCriterionInvertsIt() throws Exception {
        assertEquals("not-db", resolve("web", "Match !host db", "  User not-db").user());
        assertEquals(LOCAL_USER, resolve("db", "Match !host db", "  User not-db").user());
    }

    @Test
    void aMatchCaretCannotEvaluateIsSkippedWithOneWarningNamingItsLine() throws Exception {
        HostEntry entry = resolve("db",
                "Match host db exec \"test -f /etc/vpn\"",
                "  Port 2222",
                "Match canonical",
                "  User canon");
        assertEquals(22, entry.port());
        assertEquals(LOCAL_USER, entry.user());
        assertEquals(List.of(
                cfg + ":1: Match exec cannot be evaluated by Caret, so this block is skipped; if it should apply to db, use Host or Match host",
                cfg + ":3: Match canonical cannot be evaluated by Caret, so this block is skipped; if it should apply to db, use Host or Match host"),
                entry.warnings());
    }

    @Test
    void aMatchThatFailsOnWhatCaretEvaluatesNeedsNoWarning() throws Exception {
        assertEquals(List.of(), resolve("web", "Match host db exec \"true\"", "  Port 2222").warnings());
    }

    // --- Include

    @Test
    void includeReadsRelativePathsInDotSshWithGlobsInSortedOrder() throws Exception {
        Path conf = Files.createDirectories(home.resolve(".ssh/conf.d"));
        Files.writeString(conf.resolve("20-second.conf"), "User second\nIdentityFile /k/second\n");
        Files.writeString(conf.resolve("10-first.conf"), "Port 2010\nIdentityFile /k/first\n");
        Files.writeString(conf.resolve(".hidden.conf"), "User hidden\n");
        Files.writeString(conf.resolve("ignored.txt"), "User txt\n");
        HostEntry entry = resolve("h", "Include conf.d/*.conf", "User last");
        assertEquals(2010, entry.port());
        assertEquals("second", entry.user());
        assertEquals(Optional.of(List.of(Path.of("/k/first"), Path.of("/k/second"))), entry.identityFiles());
    }

    @Test
    void includeGlobsTakeBracketSetsRangesAndNegationAsGlob3() throws Exception {
        Path conf = Files.createDirectories(home.resolve(".ssh/sets"));
        Files.writeString(conf.resolve("a1.conf"), "Port 2101\n");
        Files.writeString(conf.resolve("b.conf"), "User bee\n");
        Files.writeString(conf.resolve("x.conf"), "IdentityFile /k/x\n");
        Files.writeString(conf.resolve("(.conf"), "User paren\n");
        HostEntry entry = resolve("h", "Include sets/[a-a]?.conf sets/[!a-bx(].conf sets/[z-a].conf sets/[(].conf");
        assertEquals(2101, entry.port(), "[a-a]? matched a1.conf");
        assertEquals("paren", entry.user(), "[(] matched (.conf, and [!a-bx(] matched nothing: b and x are excluded");
        assertEquals(Optional.empty(), entry.identityFiles(), "x.conf matched no pattern; a backwards range [z-a] matches nothing");
    }

    @Test
    void includeTakesAbsoluteAndHomePathsAndSkipsPatternsThatMatchNothing() throws Exception {
        Path absolute = dir.resolve("abs.conf");
        Files.writeString(absolute, "Port 2011\n");
        Files.writeString(home.resolve("tilde.conf"), "User tilde\n");
        HostEntry entry = resolve("h", "Include " + absolute + " ~/tilde.conf nothing-here/*.conf missing.conf");
        assertEquals(2011, entry.port());
        assertEquals("tilde", entry.user());
    }

    @Test
    void anIncludedFileStartsInTheIncludingBlockAndItsBlocksEndWithIt() throws Exception {
        Files.writeString(home.resolve(".ssh/inner"), "Port 2012\nHost other\n  User other\n");
        String[] config = {
                "Host db",
                "  Include inner",
                "  User db-user",
                "Host web",
                "  Include inner"};
        HostEntry db = resolve("db", config);
        assertEquals(2012, db.port());
        assertEquals("db-user", db.user()); // the included Host other does not swallow it
        assertEquals(2012, resolve("web", config).port());
        assertEquals(22, resolve("mail", config).port());
    }

    @Test
    void aBadLineInAnIncludedFileNamesThatFileAndLine() throws Exception {
        Path inner = home.resolve(".ssh/inner");
        Files.writeString(inner, "# inner\nPort abc\n");
        SshConfigException e = error("Host nothing-matches", "Include inner");
        assertEquals(inner + ":2: bad Port 'abc': not a port number (1 to 65535); write Port NUMBER, e.g. Port 2222", e.getMessage());
    }

    @Test
    void includesNestAtMostSixteenDeep() throws Exception {
        Files.writeString(home.resolve(".ssh/loop"), "Include loop\n");
        SshConfigException e = error("Include loop");
        assertTrue(e.getMessage().startsWith(home.resolve(".ssh/loop") + ":1: Include nests deeper than 16 files"), e.getMessage());
    }

    @Test
    void anIncludedFileOthersCanWriteIsRefused() throws Exception {
        Path inner = home.resolve(".ssh/inner");
        Files.writeString(inner, "Port 2013\n");
        Files.setPosixFilePermissions(inner, PosixFilePermissions.fromString("rw-rw-r--"));
        SshConfigException e = error("Include inner");
        assertTrue(e.getMessage().startsWith("Bad owner or permissions on " + inner), e.getMessage());
        assertTrue(e.getMessage().endsWith("run chmod go-w " + inner), e.getMessage());
    }

    @Test
    void theUserConfigIsReadFromTheHomeFolderWhenItExists() throws Exception {
        assertEquals(22, SshConfig.readUserConfig(home, LOCAL_USER).resolve("h", Overrides.none()).port());
        Files.writeString(home.resolve(".ssh/config"), "Port 2014\n");
        assertEquals(2014, SshConfig.readUserConfig(home, LOCAL_USER).resolve("h", Overrides.none()).port());
    }

    @Test
    void aMissingConfigFileIsAnError() {
        SshConfigException e = assertThrows(SshConfigException.class, () -> SshConfig.read(dir.resolve("nope"), home, LOCAL_USER));
        assertEquals("Cannot read the config file " + dir.resolve("nope") + ": it does not exist; name an existing file"
                + " (-F none reads no file)", e.getMessage());
    }

    // --- tokens

    @Test
    void expandsTokensAndTildeInIdentityAndKnownHostsFiles() throws Exception {
        HostEntry entry = resolve("alias",
                "Host alias",
                "  HostName %h.example.org",
                "  User bob",
                "  Port 2200",
                "  IdentityFile ~/.ssh/%r-%h-%p",
                "  IdentityFile %d/keys/%u/%n/100%%",
                "  UserKnownHostsFile ~/known/%h %d/more");
        assertEquals("alias.example.org", entry.hostName());
        assertEquals(Optional.of(List.of(home.resolve(".ssh/bob-alias.example.org-2200"),
                Path.of(home + "/keys/" + LOCAL_USER + "/alias/100%"))), entry.identityFiles());
        assertEquals(Optional.of(List.of(home.resolve("known/alias.example.org"), home.resolve("more"))),
                entry.userKnownHostsFiles());
        assertEquals(new Tokens("alias.example.org", 2200, "bob", LOCAL_USER, "alias", home), entry.tokens());
    }

    @Test
    void anUnknownTokenIsAnErrorOnlyWhereItApplies() throws Exception {
        String[] config = {"Host db", "  IdentityFile ~/.ssh/id_%l"};
        assertEquals(Optional.empty(), resolve("web", config).identityFiles());
        SshConfigException e = assertThrows(SshConfigException.class, () -> resolve("db", config));
        assertEquals(cfg + ":2: IdentityFile '~/.ssh/id_%l' has the token %l, which Caret does not expand; use %h %p %r %u %n %d %%",
                e.getMessage());
    }

    // --- errors naming file:line

    @Test
    void badValuesAreErrorsNamingTheLineTheValueAndTheFormEvenInBlocksThatDoNotApply() {
        assertError("bad Port 'abc': not a port number (1 to 65535); write Port NUMBER, e.g. Port 2222", "Host other", "Port abc");
        assertError("bad Port '0': port 0 is out of range (1 to 65535); write Port NUMBER, e.g. Port 2222", "Host other", "Port 0");
        assertError("bad LocalForward '8080 db': the destination 'db' is not host:hostport;"
                + " write LocalForward [bind_address:]port host:hostport, e.g. LocalForward 5432 127.0.0.1:5432", "Host x", "LocalForward 8080 db");
        assertError("bad LocalForward '8080:db:5432': the listen port and the destination are two values, separated by a space;"
                + " write LocalForward [bind_address:]port host:hostport, e.g. LocalForward 5432 127.0.0.1:5432", "Host x", "LocalForward 8080:db:5432");
        assertError("bad LocalForward 'x 127.0.0.1:80': the listen port 'x' is not a port number (0 to 65535);"
                + " write LocalForward [bind_address:]port host:hostport, e.g. LocalForward 5432 127.0.0.1:5432", "Host x", "LocalForward x 127.0.0.1:80");
        assertError("bad RemoteForward '8080 h:0': the destination port 0 is not a port to connect to (1 to 65535);"
                + " write RemoteForward [bind_address:]port host:hostport, e.g. RemoteForward 8080 127.0.0.1:3000", "Host x", "RemoteForward 8080 h:0");
        assertError("bad DynamicForward '1080 1081': one address expected, 2 given; write DynamicForward [bind_address:]port,"
                + " e.g. DynamicForward 1080", "Host x", "DynamicForward 1080 1081");
        assertError("bad BatchMode 'maybe': not yes or no; write BatchMode yes or BatchMode no", "Host x", "BatchMode maybe");
        assertError("bad StrictHostKeyChecking 'sometimes': not one of yes, accept-new, no, ask;"
                + " write StrictHostKeyChecking yes, accept-new, no or ask", "Host x", "StrictHostKeyChecking sometimes");
        assertError("bad ServerAliveInterval '10x': not a time (seconds, or with units: 90, 30s, 1m30s, 2h);"
                + " write ServerAliveInterval SECONDS (or with units: 30s, 1m30s) or ServerAliveInterval none", "Host x", "ServerAliveInterval 10x");
        assertError("bad ServerAliveCountMax '0': not a whole number from 1 to 1000;"
                + " write ServerAliveCountMax 1 to 1000, e.g. ServerAliveCountMax 3", "Host x", "ServerAliveCountMax 0");
        assertError("bad ConnectTimeout '0': at least 1 second is needed;"
                + " write ConnectTimeout SECONDS (or with units: 30s, 1m30s) or ConnectTimeout none", "Host x", "ConnectTimeout 0");
        assertError("bad User 'a b': one value expected, 2 given (quote a value with spaces); write User NAME", "Host x", "User a b");
        assertError("bad UserKnownHostsFile 'none /k': none must stand alone;"
                + " write UserKnownHostsFile FILE [FILE...] or UserKnownHostsFile none", "Host x", "UserKnownHostsFile none /k");
        assertError("bad HostName '%l.example.org': HostName knows only the tokens %h and %%;"
                + " write HostName NAME, e.g. HostName %h.example.org (%h is the host as given)", "Host x", "HostName %l.example.org");
        assertError("bad ProxyJump 'a@:22': 'a@:22' is not a jump host: the host is empty;"
                + " write ProxyJump [user@]host[:port] or ssh://[user@]host[:port] or ProxyJump none", "Host x", "ProxyJump a@:22");
        assertError("Port has no value; write Port followed by its value", "Host x", "Port");
        assertError("the quote \" is not closed; close it on the same line", "Host x", "IdentityFile \"/open");
        assertError("bad Match 'host': 'host' needs a pattern list after it;"
                + " write Match all, or Match host|originalhost|user|localuser PATTERN[,PATTERN...] ...", "Host x", "Match host");
        assertError("bad Match 'all host db': 'all' cannot be combined with other criteria;"
                + " write Match all, or Match host|originalhost|user|localuser PATTERN[,PATTERN...] ...", "Host x", "Match all host db");
    }

    @Test
    void proxyCommandThatAppliesIsAnErrorNamingItsLine() throws Exception {
        String[] config = {"Host viaproxy", "  ProxyCommand nc -X connect -x proxy:8080 %h %p"};
        assertEquals(Optional.empty(), resolve("direct", config).proxyJump());
        SshConfigException e = assertThrows(SshConfigException.class, () -> resolve("viaproxy", config));
        assertTrue(e.getMessage().startsWith(cfg + ":2: ProxyCommand nc -X connect -x proxy:8080 %h %p applies to viaproxy,"
                + " and Caret cannot run a proxy command"), e.getMessage());
    }

    @Test
    void proxyCommandNoneOrAnEarlierProxyJumpOrTheCommandLineJumpHostWins() throws Exception {
        assertEquals(Optional.empty(), resolve("h", "ProxyCommand none", "ProxyCommand nc %h %p", "ProxyJump b").proxyJump());
        HostEntry jumped = resolve("h", "ProxyJump bastion", "ProxyCommand nc %h %p");
        assertEquals(Optional.of(new JumpHost(Optional.empty(), "bastion", OptionalInt.empty())), jumped.proxyJump());
        HostEntry withJ = config("ProxyCommand nc %h %p", "ProxyJump b").resolve("h", new Overrides(Optional.empty(), Optional.empty(), true));
        assertEquals(Optional.empty(), withJ.proxyJump());
        assertEquals(Optional.empty(), resolve("h", "ProxyJump none", "ProxyJump bastion").proxyJump());
    }

    @Test
    void aProxyJumpChainThatAppliesIsAnError() throws Exception {
        String[] config = {"Host far", "  ProxyJump one,two@second:2222"};
        assertEquals(Optional.empty(), resolve("near", config).proxyJump());
        SshConfigException e = assertThrows(SshConfigException.class, () -> resolve("far", config));
        assertEquals(cfg + ":2: ProxyJump one,two@second:2222 goes through 2 jump hosts; Caret goes through one at most:"
                + " name one jump host for this host", e.getMessage());
    }

    @Test
    void forwardsCaretCannotCarryAreErrorsWhereTheyApply() throws Exception {
        String[] config = {
                "Host reverse-socks", "  RemoteForward 1080",
                "Host socket", "  LocalForward /tmp/sock db:5432",
                "Host old-syntax", "  LocalForward 8080 db/5432"};
        assertEquals(List.of(), resolve("plain", config).forwards());
        assertEquals(cfg + ":2: RemoteForward 1080 has only a port, which asks the server for a SOCKS proxy (dynamic reverse"
                + " forwarding) and Caret does not offer that; write RemoteForward [bind_address:]port host:hostport,"
                + " e.g. RemoteForward 8080 127.0.0.1:3000",
                assertThrows(SshConfigException.class, () -> resolve("reverse-socks", config)).getMessage());
        assertEquals(cfg + ":4: LocalForward with a '/' names a Unix socket for OpenSSH, and Caret forwards only TCP ports;"
                + " write LocalForward [bind_address:]port host:hostport, e.g. LocalForward 5432 127.0.0.1:5432",
                assertThrows(SshConfigException.class, () -> resolve("socket", config)).getMessage());
        assertTrue(assertThrows(SshConfigException.class, () -> resolve("old-syntax", config)).getMessage()
                .startsWith(cfg + ":6: LocalForward with a '/' names a Unix socket"));
    }

    private void assertError(String expected, String... lines) {
        SshConfigException e = error(lines);
        assertEquals(cfg + ":" + lines.length + ": " + expected, e.getMessage());
    }

    private SshConfigException error(String... lines) {
        return assertThrows(SshConfigException.class, () -> config(lines));
    }

    private HostEntry resolve(String host, String... lines) throws Exception {
        return config(lines).resolve(host, Overrides.none());
    }

    private SshConfig config(String... lines) throws IOException, SshConfigException {
        return SshConfig.read(write(lines), home, LOCAL_USER);
    }

    private Path write(String... lines) throws IOException {
        Files.writeString(cfg, String.join("\n", lines) + "\n");
        return cfg;
    }

    private static List<String> forwards(HostEntry entry) {
        return entry.forwards().stream().map(f -> f.type() + " " + f.spec()).toList();
    }
}
