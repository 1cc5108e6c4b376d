package caret.launcher;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The forwards of a command line, as ssh writes them: {@code -L}, {@code -R}, {@code -D}, and
 * {@code --forward TYPE=SPEC} for any installed type. Shared by {@code caret host}, its
 * {@code -O forward|cancel}, and {@code caret add}.
 */
final class ForwardOptions {

    /** One forward as written: a forward type's id and its spec, not parsed yet. */
    record Requested(String kind, String spec) {
    }

    private List<String> local = new ArrayList<>();
    private List<String> reverse = new ArrayList<>();
    private List<String> dynamic = new ArrayList<>();
    private List<String> forwards = new ArrayList<>();

    /** {@code -L}, {@code -R}, {@code -D} and {@code --forward}, bound to this object: a mixin. */
    CommandSpec mixin() {
        CommandSpec mixin = CommandSpec.create();
        mixin.addOption(Options.list("-L", String.class, () -> local, specs -> local = specs)
                .paramLabel("[bind_address:]port:host:hostport")
                .description("Local forward: a port on this machine (loopback unless a bind address is given) to host:hostport"
                        + " as the server sees it. Port 0 picks a free port.")
                .build());
        mixin.addOption(Options.list("-R", String.class, () -> reverse, specs -> reverse = specs)
                .paramLabel("[bind_address:]port:host:hostport")
                .description("Reverse forward: a port on the server (its loopback unless a bind address is given) back to"
                        + " host:hostport on this machine. Port 0 lets the server choose.")
                .build());
        mixin.addOption(Options.list("-D", String.class, () -> dynamic, specs -> dynamic = specs)
                .paramLabel("[bind_address:]port")
                .description("Dynamic forward: a SOCKS 4, 4a and 5 proxy on this machine; names are resolved on the server.")
                .build());
        mixin.addOption(Options.list("--forward", String.class, () -> forwards, specs -> forwards = specs)
                .paramLabel("TYPE=SPEC")
                .description("A forward of any installed type, e.g. --forward local=8080:db:5432 (see 'caret plugins').")
                .build());
        return mixin;
    }

    /**
     * Every forward given: {@code -L}, then {@code -R}, {@code -D} and {@code --forward}.
     *
     * @throws IllegalArgumentException for a {@code --forward} without {@code TYPE=}
     */
    List<Requested> requested() {
        List<Requested> all = new ArrayList<>();
        local.forEach(spec -> all.add(new Requested("local", spec)));
        reverse.forEach(spec -> all.add(new Requested("reverse", spec)));
        dynamic.forEach(spec -> all.add(new Requested("dynamic", spec)));
        for (String forward : forwards) {
            int eq = forward.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("Bad --forward '" + forward + "': write TYPE=SPEC, e.g. --forward local=8080:db:5432");
            }
            all.add(new Requested(forward.substring(0, eq), forward.substring(eq + 1)));
        }
        return all;
    }
}
