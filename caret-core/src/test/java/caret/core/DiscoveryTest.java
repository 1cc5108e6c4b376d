package caret.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import caret.core.fixtures.FakeType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Discovery with real {@link java.util.ServiceLoader} runs over plugins on a class path of their
 * own: a failing provider is reported and skipped, an id claimed twice is disabled naming both, a
 * bad id is refused, and an empty path says what to add.
 */
class DiscoveryTest {

    @Test
    void reportsAFailingPluginAndKeepsTheOthers(@TempDir Path dir) throws IOException {
        Plugins plugins = discover(pluginPath(dir, FakeType.Broken.class.getName(), FakeType.Beta.class.getName(),
                "caret.core.fixtures.Missing"));
        assertEquals(Set.of("beta"), plugins.forwardTypes().keySet());
        assertTrue(messages(plugins).contains("ERROR: Forward type plugin failed to load:"), messages(plugins));
        assertTrue(messages(plugins).contains("io/netty/Channel"), messages(plugins));
        assertTrue(messages(plugins).contains("caret.core.fixtures.Missing"), messages(plugins));
        assertTrue(messages(plugins).contains("Other plugins still work."), messages(plugins));
    }

    @Test
    void disablesAnIdClaimedTwiceNamingBothClaimants(@TempDir Path dir) throws IOException {
        Plugins plugins = discover(pluginPath(dir, FakeType.Alpha.class.getName(), FakeType.AlphaAgain.class.getName(),
                FakeType.Beta.class.getName()));
        assertEquals(Set.of("beta"), plugins.forwardTypes().keySet());
        assertEquals(List.of("beta"), plugins.infos().stream().map(PluginInfo::id).toList());
        String message = plugins.issues().stream().filter(i -> i.message().contains("'alpha'")).findFirst().orElseThrow().message();
        assertTrue(message.startsWith("Forward type 'alpha' is provided twice: unnamed ("), message);
        assertTrue(message.endsWith("'alpha' is off: remove one jar."), message);
    }

    @Test
    void refusesAnIdNoUserCouldType(@TempDir Path dir) throws IOException {
        Plugins plugins = discover(pluginPath(dir, FakeType.BadId.class.getName(), FakeType.Beta.class.getName()));
        assertEquals(Set.of("beta"), plugins.forwardTypes().keySet());
        assertTrue(messages(plugins).contains("has the id 'Bad Id': an id is 1 to 32 lowercase letters, digits or '-'"), messages(plugins));
    }

    @Test
    void saysWhatToAddWhenNothingIsFound(@TempDir Path dir) throws IOException {
        Plugins plugins = discover(pluginPath(dir));
        assertTrue(plugins.forwardTypes().isEmpty());
        assertTrue(messages(plugins).contains("No forward types found on the module path or class path: add plugin-local,"
                + " plugin-reverse or plugin-dynamic there"), messages(plugins));
        assertTrue(messages(plugins).contains("No SSH transports found"), messages(plugins));
    }

    @Test
    void describesEachPluginWithItsModuleAndLocation(@TempDir Path dir) throws IOException {
        Plugins plugins = discover(pluginPath(dir, FakeType.Beta.class.getName()));
        PluginInfo beta = plugins.infos().getFirst();
        assertEquals(new PluginInfo(PluginInfo.Kind.FORWARD_TYPE, "beta", "fake beta", "unnamed", "-", beta.location()), beta);
    }

    private static Plugins discover(ClassLoader loader) {
        return Plugins.discover(loader, Optional.empty(), List.of());
    }

    private static String messages(Plugins plugins) {
        return plugins.issues().stream().map(DiscoveryIssue::toString).collect(Collectors.joining("\n"));
    }

    /**
     * A class loader like a plugin jar on the class path: it lists {@code providers} in
     * META-INF/services and defines the fixture classes itself, in its unnamed module, so that
     * ServiceLoader treats them as class-path plugins.
     */
    private static ClassLoader pluginPath(Path dir, String... providers) throws IOException {
        Path services = Files.createDirectories(dir.resolve("META-INF/services")).resolve("caret.spi.ForwardType");
        Files.writeString(services, String.join("\n", providers) + "\n");
        URL servicesUrl = services.toUri().toURL();
        return new ClassLoader("plugins", DiscoveryTest.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                synchronized (getClassLoadingLock(name)) {
                    if (!name.startsWith("caret.core.fixtures.")) {
                        return super.loadClass(name, resolve);
                    }
                    Class<?> loaded = findLoadedClass(name);
                    return loaded != null ? loaded : findClass(name);
                }
            }

            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                String resource = "/" + name.replace('.', '/') + ".class";
                try (InputStream in = DiscoveryTest.class.getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new ClassNotFoundException(name);
                    }
                    byte[] bytes = in.readAllBytes();
                    return defineClass(name, bytes, 0, bytes.length);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public Enumeration<URL> getResources(String name) throws IOException {
                return name.equals("META-INF/services/caret.spi.ForwardType")
                        ? Collections.enumeration(List.of(servicesUrl))
                        : Collections.emptyEnumeration();
            }
        };
    }
}
