package caret.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import caret.testkit.OpenSshServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dashboard ({@code caret up --ui}, {@code caret ui}) in a real browser, Debian's Chromium
 * through Selenium, against the real launcher and a real sshd: a forward added through the page's
 * form is switched on, carries a page to curl, its counters move on the page, switching it off
 * frees its port; a taken port is named while the user types; edit, remove and save reach the
 * running instance and the file, and {@code caret status} agrees with the page at every step. The
 * token, {@code Host} and {@code Origin} checks are tested with plain HTTP. Screenshots go to
 * {@code target/screenshots}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardTest {

    private static final Pattern ADDRESS = Pattern.compile("Dashboard: (http://127\\.0\\.0\\.1:(\\d+)/\\?token=([0-9a-f]+))");

    Path dir;
    OpenSshServer sshd;
    WebPage web;
    Path file;
    Path socket;
    Path log;
    Process caret;
    List<String> output;
    URI dashboard;
    int port;
    String token;
    Browser browser;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        this.dir = dir;
        sshd = OpenSshServer.start(dir.resolve("sshd"));
        web = WebPage.start();
        file = dir.resolve("caret.json");
        Files.writeString(file, """
                {
                  "servers": {
                    "a": { "host": "127.0.0.1", "port": %d, "user": "%s", "identities": ["%s"], "knownHosts": ["%s"],
                           "hostKeyPolicy": "yes", "keepaliveInterval": 0,
                      "forwards": {
                        "docs": { "kind": "local", "localPort": 0, "destinationHost": "127.0.0.1", "destinationPort": %d },
                        "spare": { "kind": "dynamic", "spec": "0", "enabled": false }
                      } }
                  }
                }
                """.formatted(sshd.port(), sshd.user(), sshd.userKey(), sshd.knownHosts(), Fixtures.closedPort()));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        socket = dir.resolve("up.sock");
        log = dir.resolve("up.log");
        caret = LauncherProcess.launch(List.of("up", "--ui", "--no-browser", "-S", socket.toString(), file.toString()), log);
        output = lines(caret);
        Matcher found = dashboardLine(output, log);
        dashboard = URI.create(found.group(1));
        port = Integer.parseInt(found.group(2));
        token = found.group(3);
        browser = Browser.start(dir.resolve("chromium"));
        browser.driver().get(dashboard.toString());
        browser.await("the page shows server a", d -> !d.findElements(org.openqa.selenium.By.cssSelector("section[data-server='a']")).isEmpty());
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (caret != null) {
            LauncherProcess.run("-S", socket.toString(), "-O", "exit");
            if (!caret.waitFor(30, TimeUnit.SECONDS)) {
                caret.destroy();
            }
        }
        web.close();
        sshd.close();
    }

    @Test
    void aForwardAddedOnThePageCarriesBytesItsCountersMoveAndOffFreesItsPort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            browser.find("section[data-server='a'] button[aria-label='Add a forward to a']").click();
            browser.await("the Add dialog opens", d -> browser.find("#editor").getDomAttribute("open") != null);
            type("#f-name", "web");
            type("#f-localPort", Integer.toString(taken.getLocalPort()));
            type("#f-destinationHost", "127.0.0.1");
            type("#f-destinationPort", Integer.toString(web.port()));
            browser.find("#f-on").click(); // add it off, then switch it on from its card
            String message = browser.await("the taken port is named while typing", d -> {
                String text = browser.find("#m-localPort").getText();
                return text.contains("already in use") ? text : null;
            });
            assertTrue(message.contains("Local port " + taken.getLocalPort() + " is already in use on 127.0.0.1"), message);
            assertFalse(browser.find("#submit").isEnabled(), "Save is disabled while the port is taken");
            browser.screenshot("1-add-a-taken-port");
        }
        type("#f-localPort", "70000");
        browser.await("a port out of range is named", d -> browser.find("#m-localPort").getText().contains("0 to 65535"));
        assertFalse(browser.find("#submit").isEnabled());
        type("#f-localAddress", "0.0.0.0");
        browser.await("a bind beyond loopback gets the warning", d -> browser.find("#m-localAddress").getText()
                .contains("reachable from other machines"));
        type("#f-localAddress", "");
        browser.await("loopback: no warning", d -> browser.find("#m-localAddress").getText().isEmpty());
        type("#f-localPort", "0");
        browser.await("Save is enabled for a free port", d -> browser.find("#submit").isEnabled());
        assertEquals("local 0:127.0.0.1:" + web.port(), browser.find("#preview").getText());
        browser.screenshot("2-add-local-forward");
        browser.find("#submit").click();

        WebElement card = awaitCard("web", "OFF");
        assertEquals("OFF", StatusJson.forward(StatusJson.of(socket), "a", "web").get("state").asString(),
                "caret status agrees with the page");
        card.findElement(org.openqa.selenium.By.cssSelector("button[role='switch']")).click();
        card = awaitCard("web", "READY");
        String address = browser.await("the address to connect to is shown", d -> {
            String shown = browser.find("article[data-forward='web'] .address").getDomAttribute("data-address");
            return shown == null || shown.isEmpty() ? null : shown;
        });
        assertEquals(address, StatusJson.forward(StatusJson.of(socket), "a", "web").get("connectTo").asString());
        for (int i = 0; i < 3; i++) {
            assertEquals(WebPage.BODY, Curl.fetch("http://" + address + "/"), "curl through the forward the page added");
        }
        try (Socket open = new Socket(InetAddress.getLoopbackAddress(), port(address))) {
            browser.await("the page counts the open connection", d -> number("web", "connections") >= 1);
            browser.await("the page counts bytes each way", d -> number("web", "sent") > 0 && number("web", "received")
                    >= 3L * WebPage.BODY.length());
            browser.screenshot("3-forward-with-traffic");
        }
        browser.await("the connection is gone from the page", d -> number("web", "connections") == 0);

        browser.find("article[data-forward='web'] button.copy").click();
        browser.await("the copy button says what it copied", d -> browser.find("#toast").getText().contains(address));

        browser.find("article[data-forward='web'] button[role='switch']").click();
        awaitCard("web", "OFF");
        assertEquals("OFF", StatusJson.forward(StatusJson.of(socket), "a", "web").get("state").asString());
        try (ServerSocket free = new ServerSocket(port(address), 1, InetAddress.getLoopbackAddress())) {
            assertEquals(port(address), free.getLocalPort(), "switched off, its port is free");
        }
        browser.screenshot("4-switched-off");
    }

    @Test
    void editRemoveAndSaveReachTheInstanceAndTheFile() throws Exception {
        WebElement docs = awaitCard("docs", "READY");
        String address = docs.findElement(org.openqa.selenium.By.cssSelector(".address")).getDomAttribute("data-address");
        Curl.run("http://" + address + "/"); // its destination is down: the server refuses the channel
        String hint = browser.await("the reason and the guide's hint are shown", d -> {
            String text = browser.find("article[data-forward='docs'] .hint").getText();
            return text.isEmpty() ? null : text;
        });
        assertTrue(hint.contains("destination is not running"), hint);
        assertTrue(browser.find("article[data-forward='docs'] .reason").getText().contains("Connection refused"));
        browser.screenshot("5-destination-down");

        browser.find("article[data-forward='docs'] button.edit").click();
        browser.await("the Edit dialog opens filled in", d -> "docs".equals(browser.find("#f-name").getDomProperty("value")));
        assertEquals("127.0.0.1", browser.find("#f-destinationHost").getDomProperty("value"));
        type("#f-destinationPort", Integer.toString(web.port()));
        browser.await("Save is enabled", d -> browser.find("#submit").isEnabled());
        browser.find("#submit").click();
        browser.await("docs runs its new spec", d -> browser.find("article[data-forward='docs']").getDomAttribute("data-spec")
                .equals("0:127.0.0.1:" + web.port()) && "READY".equals(browser.find("article[data-forward='docs']").getDomAttribute("data-state")));
        String moved = browser.await("docs has an address", d -> {
            String shown = browser.find("article[data-forward='docs'] .address").getDomAttribute("data-address");
            return shown == null || shown.isEmpty() ? null : shown;
        });
        assertEquals(WebPage.BODY, Curl.fetch("http://" + moved + "/"));

        browser.find("article[data-forward='spare'] button.remove").click();
        browser.await("the remove is confirmed first", d -> browser.find("#confirm").getDomAttribute("open") != null);
        browser.find("#confirm-yes").click();
        browser.await("spare is gone from the page", d -> d.findElements(org.openqa.selenium.By.cssSelector("article[data-forward='spare']")).isEmpty());
        assertFalse(StatusJson.of(socket).toString().contains("\"spare\""), "caret status agrees: spare is removed");

        browser.find("#save").click();
        browser.await("the save is reported", d -> browser.find("#toast").getText().contains("Saved"));
        JsonNode saved = JsonMapper.builder().build().readTree(Files.readString(file)).get("servers").get("a");
        assertEquals("0:127.0.0.1:" + web.port(), saved.get("forwards").get("docs").get("spec").asString());
        assertFalse(saved.get("forwards").has("spare"), saved.toString());
        assertEquals(sshd.userKey().toString(), saved.get("identities").get(0).asString(), "the server's settings are kept");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        LauncherProcess.Result reload = LauncherProcess.run("reload", "-S", socket.toString());
        assertEquals(0, reload.exit(), reload.stderr());
        assertTrue(reload.stdout().contains("nothing changed"), "the saved file is what runs: " + reload.stdout());

        String written = Files.readString(file);
        Files.writeString(file, written.replace("\"docs\"", "\"renamed-by-hand\""));
        LauncherProcess.Result refused = LauncherProcess.run("save", "-S", socket.toString());
        assertEquals(255, refused.exit(), "an edit on disk that was not reloaded is never overwritten");
        assertTrue(refused.stderr().contains("was edited since Caret read it"), refused.stderr());
        assertTrue(Files.readString(file).contains("renamed-by-hand"));
        Files.writeString(file, written);
        assertEquals(0, LauncherProcess.run("save", "-S", socket.toString()).exit());
    }

    @Test
    void aPhoneSizedWindowAndTheKeyboardReachEverything() {
        try {
            browser.driver().manage().window().setSize(new Dimension(390, 844));
            WebElement add = browser.find("section[data-server='a'] button[aria-label='Add a forward to a']");
            assertTrue(add.isDisplayed());
            for (WebElement card : browser.driver().findElements(org.openqa.selenium.By.cssSelector("article.forward"))) {
                assertTrue(card.getRect().getX() + card.getRect().getWidth() <= 390, "a card fits a phone's width");
            }
            browser.screenshot("6-phone");
            add.sendKeys(Keys.ENTER);
            browser.await("Enter on Add opens the dialog", d -> browser.find("#editor").getDomAttribute("open") != null);
            browser.screenshot("7-phone-add");
            browser.driver().switchTo().activeElement().sendKeys(Keys.ESCAPE);
            browser.await("Escape closes it", d -> browser.find("#editor").getDomAttribute("open") == null);
        } finally {
            browser.driver().manage().window().setSize(new Dimension(1200, 900));
        }
    }

    @Test
    void onlyTheTokenThisHostAndThisOriginGetIn() throws Exception {
        assertEquals("127.0.0.1", dashboard.getHost(), "it listens on loopback only");
        RawHttp.Response none = RawHttp.send(port, "GET", "/api/status", Map.of(), null);
        assertEquals(403, none.status());
        assertTrue(none.body().contains("needs its token"), none.body());
        assertEquals(403, RawHttp.send(port, "GET", "/?token=" + "0".repeat(32), Map.of(), null).status());

        RawHttp.Response entry = RawHttp.send(port, "GET", "/?token=" + token, Map.of(), null);
        assertEquals(303, entry.status());
        assertEquals("/", entry.header("Location"), "the token leaves the address bar");
        String cookie = entry.header("Set-Cookie");
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
        String pair = cookie.substring(0, cookie.indexOf(';'));
        RawHttp.Response page = RawHttp.send(port, "GET", "/", Map.of("Cookie", pair), null);
        assertEquals(200, page.status());
        assertTrue(page.body().contains("Port Forwarding"));
        assertTrue(page.header("Content-Security-Policy").contains("frame-ancestors 'none'"));
        RawHttp.Response status = RawHttp.send(port, "GET", "/api/status", Map.of("Cookie", pair), null);
        assertEquals(200, status.status());
        assertTrue(status.body().contains("\"servers\""), status.body());

        RawHttp.Response rebound = RawHttp.send(port, "GET", "/api/status",
                Map.of("Host", "rebound.example:" + port, "Authorization", "Bearer " + token), null);
        assertEquals(403, rebound.status(), "a foreign Host (DNS rebinding) is refused even with the token");
        assertTrue(rebound.body().contains("DNS rebinding"), rebound.body());

        String before = StatusJson.forward(StatusJson.of(socket), "a", "docs").get("state").asString();
        RawHttp.Response crossSite = RawHttp.send(port, "POST", "/api/op",
                Map.of("Origin", "http://evil.example", "Cookie", pair), "{\"op\":\"off\",\"forward\":\"a/docs\"}");
        assertEquals(403, crossSite.status(), "a request from another site's page is refused");
        assertEquals(before, StatusJson.forward(StatusJson.of(socket), "a", "docs").get("state").asString(), "and changes nothing");

        RawHttp.Response exit = RawHttp.send(port, "POST", "/api/op", Map.of("Authorization", "Bearer " + token,
                "Origin", "http://127.0.0.1:" + port), "{\"op\":\"exit\"}");
        assertEquals(200, exit.status());
        assertTrue(exit.body().contains("\"ok\":false") && exit.body().contains("not 'exit'"), exit.body());
        assertTrue(caret.isAlive(), "the page cannot stop Caret");
        assertFalse(LauncherProcess.read(log).contains(token), "the token is not in the log");
    }

    @Test
    void caretUiServesTheRunningInstanceOpensTheBrowserAndEndsWithIt() throws Exception {
        Path otherFile = dir.resolve("other.json");
        Files.writeString(otherFile, """
                { "servers": { "b": { "host": "127.0.0.1", "port": %d, "user": "%s", "identities": ["%s"], "knownHosts": ["%s"],
                  "hostKeyPolicy": "yes", "forwards": { "echo": { "kind": "local", "spec": "0:127.0.0.1:%d" } } } } }
                """.formatted(sshd.port(), sshd.user(), sshd.userKey(), sshd.knownHosts(), web.port()));
        Path otherSocket = dir.resolve("other.sock");
        Process other = LauncherProcess.launch(List.of("up", "-S", otherSocket.toString(), otherFile.toString()), dir.resolve("other.log"));
        Process ui = null;
        try {
            LauncherProcess.readyPorts(other, 1, dir.resolve("other.log"));
            // A desktop (DISPLAY set) whose xdg-open writes down what it was asked to open.
            Path bin = Files.createDirectories(dir.resolve("bin"));
            Path opened = dir.resolve("opened.txt");
            Path xdgOpen = bin.resolve("xdg-open");
            Files.writeString(xdgOpen, "#!/bin/sh\nprintf '%s' \"$1\" > '" + opened + "'\n");
            Files.setPosixFilePermissions(xdgOpen, PosixFilePermissions.fromString("rwx------"));
            ProcessBuilder command = LauncherProcess.command(List.of("ui", "-S", otherSocket.toString()))
                    .redirectError(dir.resolve("ui.log").toFile());
            command.environment().put("DISPLAY", ":99");
            command.environment().put("PATH", bin + ":" + System.getenv("PATH"));
            ui = command.start();
            Matcher found = dashboardLine(lines(ui), dir.resolve("ui.log"));
            Await.until("the browser was asked to open the dashboard", () -> Files.exists(opened)
                    && LauncherProcess.read(opened).equals(found.group(1)));
            int uiPort = Integer.parseInt(found.group(2));
            Map<String, String> auth = Map.of("Authorization", "Bearer " + found.group(3));
            RawHttp.Response status = RawHttp.send(uiPort, "GET", "/api/status", auth, null);
            assertTrue(status.body().contains("\"echo\"") && status.body().contains("READY"), status.body());
            RawHttp.Response off = RawHttp.send(uiPort, "POST", "/api/op", auth, "{\"op\":\"off\",\"forward\":\"echo\"}");
            assertTrue(off.body().contains("\"ok\":true"), off.body());
            assertEquals("OFF", StatusJson.forward(StatusJson.of(otherSocket), "b", "echo").get("state").asString(),
                    "the page's request went to the running Caret");

            assertEquals(0, LauncherProcess.run("-S", otherSocket.toString(), "-O", "exit").exit());
            assertTrue(ui.waitFor(20, TimeUnit.SECONDS), "caret ui ends when its Caret does");
            assertEquals(0, ui.exitValue());
            assertTrue(LauncherProcess.read(dir.resolve("ui.log")).contains("has exited"));
        } finally {
            other.destroy();
            if (ui != null) {
                ui.destroy();
            }
        }
    }

    private WebElement awaitCard(String name, String state) {
        return browser.await(name + " is " + state + " on the page", d -> {
            List<WebElement> cards = d.findElements(org.openqa.selenium.By.cssSelector("article[data-forward='" + name + "']"));
            return !cards.isEmpty() && state.equals(cards.getFirst().getDomAttribute("data-state")) ? cards.getFirst() : null;
        });
    }

    private long number(String forward, String field) {
        String value = browser.find("article[data-forward='" + forward + "'] [data-field='" + field + "']").getDomAttribute("data-value");
        return value == null ? -1 : Long.parseLong(value);
    }

    private void type(String css, String text) {
        WebElement input = browser.find(css);
        input.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
        input.sendKeys(text);
    }

    private static int port(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    /** Reads a process's standard output into a list, line by line, in the background. */
    private static List<String> lines(Process process) {
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ended) {
                // the process is gone
            }
        });
        return lines;
    }

    private static Matcher dashboardLine(List<String> lines, Path log) throws IOException {
        Matcher[] found = new Matcher[1];
        Await.until("a Dashboard line", () -> lines.stream().map(ADDRESS::matcher).filter(Matcher::find).findFirst()
                .map(m -> found[0] = m).isPresent());
        assertNotNull(found[0], () -> "no Dashboard line in " + lines + "; log: " + LauncherProcess.read(log));
        return found[0];
    }
}
