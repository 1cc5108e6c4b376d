package caret.launcher;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of Caret's modules, checked on the class files the launcher sees at test time (its own
 * and every module it depends on, including the runtime-only plugins and transport). After JUnit's
 * {@code platform-tooling-support-tests/.../ArchUnitTests.java}.
 */
class ArchitectureTest {

    /**
     * Main code only. Surefire on the module path patches {@code target/test-classes} into the module,
     * a layout {@link ImportOption.DoNotIncludeTests} is not guaranteed to recognise.
     */
    private static final ImportOption MAIN_CODE_ONLY = location -> !location.contains("/test-classes/");

    private static final List<String> EXPECTED_PACKAGES = List.of("caret.spi", "caret.core",
            "caret.plugin.local", "caret.plugin.reverse", "caret.plugin.dynamic", "caret.transport.sshd",
            "caret.launcher");

    private static JavaClasses caret;

    @BeforeAll
    static void importCaret() {
        caret = new ClassFileImporter().withImportOption(MAIN_CODE_ONLY).importPackages("caret");
    }

    /** Guards every rule below: an import that found nothing would let them all pass. */
    @Test
    void importHoldsTheMainClassesOfEveryModuleAndNoTests() {
        assertFalse(caret.isEmpty(), "no class of package caret was imported: the rules below would pass vacuously");
        Set<String> packages = caret.stream().map(JavaClass::getPackageName).collect(Collectors.toCollection(TreeSet::new));
        for (String expected : EXPECTED_PACKAGES) {
            assertTrue(packages.contains(expected), "no class of " + expected + " was imported; found " + packages);
        }
        assertFalse(caret.contain(ArchitectureTest.class), "test classes were imported: the rules would check test code");
    }

    @Test
    void spiDependsOnlyOnTheJdk() {
        classes().that().resideInAPackage("caret.spi..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("caret.spi..", "java..")
                .check(caret);
    }

    @Test
    void coreKnowsNoPluginNoTransportNoLauncherAndNoSshLibrary() {
        noClasses().that().resideInAPackage("caret.core..")
                .should().dependOnClassesThat().resideInAnyPackage("caret.plugin..", "caret.transport..",
                        "caret.launcher..", "org.apache.sshd..", "com.jcraft..")
                .check(caret);
    }

    @Test
    void pluginsDependOnlyOnTheSpiAndTheJdk() {
        classes().that().resideInAPackage("caret.plugin..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("caret.spi..", "java..", "caret.plugin..")
                .check(caret);
    }

    @Test
    void noPluginDependsOnAnother() {
        slices().matching("caret.plugin.(*)..").should().notDependOnEachOther().check(caret);
    }

    @Test
    void transportsKnowNoCoreNoPluginAndNoLauncher() {
        noClasses().that().resideInAPackage("caret.transport..")
                .should().dependOnClassesThat().resideInAnyPackage("caret.core..", "caret.plugin..", "caret.launcher..")
                .check(caret);
    }

    @Test
    void modulesHaveNoCycles() {
        slices().matching("caret.(*)..").should().beFreeOfCycles().check(caret);
    }

    /** The two markers themselves are exempt; the names are strings because the annotations have CLASS retention. */
    @Test
    void everyPublicSpiTypeStatesItsStability() {
        classes().that().resideInAPackage("caret.spi").and().arePublic().and().areTopLevelClasses()
                .and().doNotHaveFullyQualifiedName("caret.spi.Experimental")
                .and().doNotHaveFullyQualifiedName("caret.spi.Stable")
                .should().beAnnotatedWith("caret.spi.Experimental")
                .orShould().beAnnotatedWith("caret.spi.Stable")
                .check(caret);
    }

    /** {@code printStackTrace()} without arguments writes to standard error, whatever Throwable it is called on. */
    @Test
    void onlyTheLauncherWritesToStandardStreams() {
        DescribedPredicate<JavaMethodCall> printStackTrace = DescribedPredicate.describe("printStackTrace()",
                call -> call.getName().equals("printStackTrace")
                        && call.getTarget().getRawParameterTypes().isEmpty()
                        && call.getTargetOwner().isAssignableTo(Throwable.class));
        noClasses().that().resideOutsideOfPackage("caret.launcher..")
                .should().accessField(System.class, "out")
                .orShould().accessField(System.class, "err")
                .orShould().callMethodWhere(printStackTrace)
                .check(caret);
    }

    @Test
    void testkitIsUsedByTestsOnly() {
        noClasses().that().resideOutsideOfPackage("caret.testkit..")
                .should().dependOnClassesThat().resideInAPackage("caret.testkit..")
                .check(caret);
    }

    /** Read from the jars the launcher runs with: each module exports its API package, or nothing. */
    @Test
    void eachModuleExportsOnlyItsApi() throws Exception {
        Map<String, Set<String>> api = Map.of("caret.spi", Set.of("caret.spi"), "caret.core", Set.of("caret.core"));
        Set<String> checked = new TreeSet<>();
        for (ModuleReference module : ModuleFinder.of(LauncherProcess.modules().toArray(Path[]::new)).findAll()) {
            ModuleDescriptor descriptor = module.descriptor();
            if (!descriptor.name().startsWith("caret.")) {
                continue;
            }
            checked.add(descriptor.name());
            Set<String> unqualified = descriptor.exports().stream().filter(e -> !e.isQualified())
                    .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
            assertEquals(api.getOrDefault(descriptor.name(), Set.of()), unqualified, descriptor.name() + " exports");
        }
        assertTrue(checked.containsAll(Set.of("caret.spi", "caret.core", "caret.plugin.local", "caret.plugin.reverse",
                "caret.plugin.dynamic", "caret.transport.sshd", "caret.transport.jsch", "caret.launcher")), checked.toString());
    }
}
