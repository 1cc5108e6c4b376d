package caret.launcher;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Options built with picocli's programmatic API, bound to fields through a getter and a setter:
 * for the root command, which every forward's start-up builds, and the mixins it shares. From
 * annotations picocli builds a command by reflection, and the JDK makes a proxy class for each
 * annotation type at run time, which the AOT cache cannot keep: building the root command that way
 * took 45 to 55 ms of a start-up. The subcommands keep their annotations; they are only built when
 * the command line may name one ({@link CaretCommand#commandLine}).
 */
final class Options {

    private Options() {
    }

    /*
     * Each starts from the field's value when it is built: picocli sets every option and positional
     * parameter to its initial value before it parses a command line.
     */

    /** An option of one value (or an array, such as {@code -v}'s {@code boolean[]}) held by a field. */
    static <T> OptionSpec.Builder option(String name, Class<T> type, Supplier<T> get, Consumer<T> set) {
        Binding<T> binding = new Binding<>(get, set);
        return OptionSpec.builder(name).type(type).getter(binding).setter(binding).initialValue(get.get());
    }

    /** A repeatable option whose values a list field holds. */
    static <E> OptionSpec.Builder list(String name, Class<E> element, Supplier<List<E>> get, Consumer<List<E>> set) {
        Binding<List<E>> binding = new Binding<>(get, set);
        return OptionSpec.builder(name).type(List.class).auxiliaryTypes(element).getter(binding).setter(binding).initialValue(get.get());
    }

    /** A positional parameter of one value held by a field. */
    static <T> PositionalParamSpec.Builder positional(String index, Class<T> type, Supplier<T> get, Consumer<T> set) {
        Binding<T> binding = new Binding<>(get, set);
        return PositionalParamSpec.builder().index(index).type(type).getter(binding).setter(binding).initialValue(get.get());
    }

    /** Positional parameters whose values a list field holds. */
    static <E> PositionalParamSpec.Builder positionals(String index, Class<E> element, Supplier<List<E>> get,
            Consumer<List<E>> set) {
        Binding<List<E>> binding = new Binding<>(get, set);
        return PositionalParamSpec.builder().index(index).type(List.class).auxiliaryTypes(element).getter(binding).setter(binding).initialValue(get.get());
    }

    /**
     * {@code -h, --help} and {@code -V, --version}, as picocli's {@code mixinStandardHelpOptions}
     * adds them (from an annotated class of its own).
     */
    static void addHelpOptions(CommandSpec spec) {
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true).description("Print version information and exit.").build());
    }

    /** A field, seen by picocli: it reads the value (a list it adds to) and sets a new one. */
    private static final class Binding<T> implements IGetter, ISetter {

        private final Supplier<T> get;
        private final Consumer<T> set;

        Binding(Supplier<T> get, Consumer<T> set) {
            this.get = get;
            this.set = set;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <V> V get() {
            return (V) get.get();
        }

        @Override
        @SuppressWarnings("unchecked")
        public <V> V set(V value) {
            V previous = get();
            set.accept((T) value);
            return previous;
        }
    }
}
