package caret.spi;

/**
 * A forward spec could not be parsed. The message names the spec, what is wrong, and the expected
 * form: {@code Bad local forward '80:db': missing hostport; expected [bind_address:]port:host:hostport}.
 */
@Experimental
public class InvalidSpecException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String spec;

    /**
     * @param kind the kind of forward, as a person says it: {@code local forward}
     * @param spec the spec as written
     * @param problem what is wrong with it
     * @param usage the expected form
     */
    public InvalidSpecException(String kind, String spec, String problem, String usage) {
        super("Bad " + kind + " '" + spec + "': " + problem + "; expected " + usage);
        this.spec = spec;
    }

    /** The spec as written. */
    public String spec() {
        return spec;
    }
}
