package caret.launcher.sshconfig;

import java.nio.file.Path;
import java.util.List;

/**
 * One line of a configuration once read and checked: the start of a {@code Host} or {@code Match}
 * block, a file brought in by {@code Include}, or a setting. Settings are checked when the file is
 * read, as ssh checks every line whether it applies or not; they take effect when their block
 * applies to the host being resolved.
 */
sealed interface Directive {

    /** Where the line is. */
    Origin origin();

    /** {@code Host pattern...}: applies to the lines below when a pattern matches and no {@code !pattern} does. */
    record HostBlock(Origin origin, List<String> patterns) implements Directive {

        public HostBlock {
            patterns = List.copyOf(patterns);
        }

        /** As readconf.c does: the host as given, case-sensitively; a matching negated pattern wins. */
        boolean matches(String host) {
            boolean matched = false;
            for (String pattern : patterns) {
                boolean negated = pattern.startsWith("!");
                if (Patterns.matches(host, negated ? pattern.substring(1) : pattern)) {
                    if (negated) {
                        return false;
                    }
                    matched = true;
                }
            }
            return matched;
        }
    }

    /**
     * {@code Match criterion...}: applies when every criterion holds.
     *
     * @param criteria in the order written
     */
    record MatchBlock(Origin origin, List<Criterion> criteria) implements Directive {

        public MatchBlock {
            criteria = List.copyOf(criteria);
        }
    }

    /**
     * One criterion of a {@code Match} line.
     *
     * @param name the criterion in lower case: {@code all}, {@code host}, {@code exec}…
     * @param negated written with a leading {@code !}
     * @param argument its pattern list, or empty for {@code all}, {@code canonical} and {@code final}
     */
    record Criterion(String name, boolean negated, String argument) {
    }

    /**
     * A file brought in by {@code Include}: its lines apply where the {@code Include} line is, starting
     * in that line's block; a {@code Host} or {@code Match} inside ends with the file.
     */
    record IncludedFile(Origin origin, Path file, List<Directive> directives) implements Directive {

        public IncludedFile {
            directives = List.copyOf(directives);
        }
    }

    /**
     * A keyword Caret honours, with its value checked.
     *
     * @param effect what it does to the host entry when its block applies
     */
    record Setting(Origin origin, Effect effect) implements Directive {
    }

    /** What a setting does when it applies; throws when it applies but Caret cannot honour it. */
    @FunctionalInterface
    interface Effect {
        void apply(Resolution resolution) throws SshConfigException;
    }
}
