package caret.launcher.sshconfig;

import caret.launcher.sshconfig.Directive.Criterion;
import caret.launcher.sshconfig.Directive.HostBlock;
import caret.launcher.sshconfig.Directive.IncludedFile;
import caret.launcher.sshconfig.Directive.MatchBlock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a configuration file and the files it includes into {@link Directive}s, checking every
 * line as ssh does ({@code read_config_file_depth} in readconf.c). {@code Include} takes globs;
 * a relative path is taken in {@code ~/.ssh}, as OpenSSH does for user configurations; files are
 * read in sorted order, a pattern that matches nothing is skipped, and includes nest at most
 * {@value #MAX_DEPTH} deep. Included files, and {@code ~/.ssh/config} itself, must belong to the
 * user (or root) and be writable by no one else, as ssh demands.
 */
final class ConfigReader {

    /** OpenSSH's READCONF_MAX_DEPTH. */
    static final int MAX_DEPTH = 16;

    private static final Logger log = LoggerFactory.getLogger(ConfigReader.class);

    private final Path home;
    private final String localUser;

    ConfigReader(Path home, String localUser) {
        this.home = home;
        this.localUser = localUser;
    }

    /**
     * Reads {@code file}.
     *
     * @param checkPermissions whether to demand that the file belongs to the user or root and that no one else can write it
     * @throws SshConfigException for a file that cannot be read or a bad line
     */
    List<Directive> read(Path file, boolean checkPermissions, int depth) throws SshConfigException {
        String text;
        try {
            if (checkPermissions) {
                checkPermissions(file);
            }
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new SshConfigException("Cannot read the config file " + file + ": it does not exist; name an existing file"
                    + " (-F none reads no file)");
        } catch (IOException e) {
            throw new SshConfigException("Cannot read the config file " + file + ": " + e.getMessage()
                    + "; check that it is a readable file");
        }
        log.debug("reading {}", file);
        List<Directive> directives = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Optional<ConfigLine> parsed = ConfigLine.parse(lines[i], new Origin(file, i + 1));
            if (parsed.isPresent()) {
                add(parsed.get(), directives, depth);
            }
        }
        return directives;
    }

    private void add(ConfigLine line, List<Directive> directives, int depth) throws SshConfigException {
        switch (line.keyword()) {
            case "host" -> {
                if (line.arguments().stream().anyMatch(String::isEmpty)) {
                    throw Settings.bad(line, "Host", "a pattern is empty", "Host PATTERN..., e.g. Host db *.example.org !bastion");
                }
                directives.add(new HostBlock(line.origin(), line.arguments()));
            }
            case "match" -> directives.add(new MatchBlock(line.origin(), criteria(line)));
            case "include" -> {
                for (String pattern : line.arguments()) {
                    for (Path file : glob(line, pattern)) {
                        if (depth >= MAX_DEPTH) {
                            throw new SshConfigException(line.origin(), "Include nests deeper than " + MAX_DEPTH
                                    + " files (does a file include itself?); include " + file + " from fewer levels");
                        }
                        directives.add(new IncludedFile(line.origin(), file, read(file, true, depth + 1)));
                    }
                }
            }
            default -> {
                Optional<Directive.Setting> setting = Settings.parse(line);
                if (setting.isPresent()) {
                    directives.add(setting.get());
                } else {
                    log.debug("{}: {} is not used by Caret, ignored", line.origin(), line.keyword());
                }
            }
        }
    }

    /** As {@code match_cfg_line}: criteria with a pattern list after them or after {@code =}, {@code all} alone. */
    private static List<Criterion> criteria(ConfigLine line) throws SshConfigException {
        String form = "Match all, or Match host|originalhost|user|localuser PATTERN[,PATTERN...] ...";
        List<Criterion> criteria = new ArrayList<>();
        List<String> arguments = line.arguments();
        for (int i = 0; i < arguments.size(); i++) {
            String word = arguments.get(i);
            boolean negated = word.startsWith("!");
            String name = (negated ? word.substring(1) : word).toLowerCase(Locale.ROOT);
            String argument = "";
            int equals = name.indexOf('=');
            if (name.equals("all")) {
                if (i + 1 < arguments.size() || criteria.size() > 1) {
                    throw Settings.bad(line, "Match", "'all' cannot be combined with other criteria", form);
                }
            } else if (equals > 0) {
                argument = word.substring(word.indexOf('=') + 1);
                name = name.substring(0, equals);
            } else if (!name.equals("canonical") && !name.equals("final")) {
                if (i + 1 == arguments.size() || arguments.get(i + 1).isEmpty()) {
                    throw Settings.bad(line, "Match", "'" + word + "' needs a pattern list after it", form);
                }
                argument = arguments.get(++i);
            }
            criteria.add(new Criterion(name, negated, argument));
        }
        return criteria;
    }

    /** The regular files a glob names, sorted, as glob(3) with GLOB_TILDE; none when nothing matches. */
    private List<Path> glob(ConfigLine line, String pattern) throws SshConfigException {
        String form = "Include FILE..., with * and ? allowed, relative to ~/.ssh";
        if (pattern.isEmpty()) {
            throw Settings.bad(line, "Include", "a file name is empty", form);
        }
        if (pattern.indexOf('\0') >= 0) {
            throw Settings.bad(line, "Include", "a file name contains a NUL character, which no file name has", form);
        }
        if (pattern.contains("%") || pattern.contains("${")) {
            throw Settings.bad(line, "Include", "Caret expands no % tokens or ${variables} in Include", form);
        }
        String path = pattern;
        if (path.equals("~") || path.startsWith("~/")) {
            path = home + path.substring(1);
        } else if (path.startsWith("~")) {
            throw Settings.bad(line, "Include", "another user's home (~name) is not looked up", form);
        } else if (!path.startsWith("/")) {
            path = home.resolve(".ssh").resolve(path).toString();
        }
        List<Path> found = new ArrayList<>(List.of(Path.of("/")));
        for (String component : path.split("/")) {
            if (component.isEmpty()) {
                continue;
            }
            List<Path> next = new ArrayList<>();
            for (Path folder : found) {
                if (!isGlob(component)) {
                    next.add(folder.resolve(component));
                } else if (Files.isDirectory(folder)) {
                    Predicate<String> matches = globMatcher(component);
                    try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
                        for (Path entry : entries) {
                            String name = entry.getFileName().toString();
                            if ((!name.startsWith(".") || component.startsWith(".")) && matches.test(name)) {
                                next.add(entry);
                            }
                        }
                    } catch (IOException e) {
                        throw new SshConfigException(line.origin(), "cannot list " + folder + " for Include " + pattern
                                + ": " + e.getMessage() + "; check the folder's permissions");
                    }
                }
            }
            found = next;
        }
        List<Path> files = found.stream().filter(Files::isRegularFile).sorted().toList();
        if (files.isEmpty()) {
            log.debug("{}: Include {} matched no files", line.origin(), pattern);
        }
        return files;
    }

    private static boolean isGlob(String component) {
        return component.indexOf('*') >= 0 || component.indexOf('?') >= 0 || component.indexOf('[') >= 0;
    }

    /**
     * A glob(3) component as a matcher: {@code *}, {@code ?}, {@code [abc]}, {@code [!abc]}; the
     * rest literal. Matched without a regex: a regex of many stars backtracks exponentially on a
     * name it does not match ({@code Include c*****...*x} took longer than the fuzzer's 10 s), this
     * goes back only to the last star, so it takes at most name length times pattern length steps.
     */
    private static Predicate<String> globMatcher(String component) {
        List<Pattern> tokens = new ArrayList<>(); // one character each; null for a star
        for (int i = 0; i < component.length(); i++) {
            char c = component.charAt(i);
            int close = c == '[' ? component.indexOf(']', i + 2) : -1;
            if (c == '*') {
                tokens.add(null);
            } else if (c == '?') {
                tokens.add(Pattern.compile(".", Pattern.DOTALL));
            } else if (close > 0) {
                String set = component.substring(i + 1, close);
                boolean not = set.startsWith("!");
                tokens.add(Pattern.compile(charSet(not ? set.substring(1) : set, not), Pattern.DOTALL));
                i = close;
            } else {
                tokens.add(Pattern.compile(Pattern.quote(String.valueOf(c))));
            }
        }
        return name -> globMatches(tokens, name);
    }

    private static boolean globMatches(List<Pattern> tokens, String name) {
        int t = 0;
        int n = 0;
        int star = -1;
        int resume = 0;
        while (n < name.length()) {
            if (t < tokens.size() && tokens.get(t) == null) {
                star = t++;
                resume = n;
            } else if (t < tokens.size() && tokens.get(t).matcher(name.substring(n, n + 1)).matches()) {
                t++;
                n++;
            } else if (star >= 0) {
                t = star + 1; // the last star takes one more character
                n = ++resume;
            } else {
                return false;
            }
        }
        while (t < tokens.size() && tokens.get(t) == null) {
            t++;
        }
        return t == tokens.size();
    }

    /**
     * A bracket expression's members ({@code abc}, ranges {@code a-z}) as a regex class, every
     * character written by its code so none means anything to the regex; a range written backwards
     * matches nothing, as in glob(3).
     */
    private static String charSet(String members, boolean not) {
        StringBuilder set = new StringBuilder();
        for (int i = 0; i < members.length(); i++) {
            char low = members.charAt(i);
            if (i + 2 < members.length() && members.charAt(i + 1) == '-') {
                char high = members.charAt(i + 2);
                if (low <= high) {
                    set.append(code(low)).append('-').append(code(high));
                }
                i += 2;
            } else {
                set.append(code(low));
            }
        }
        if (set.isEmpty()) {
            return not ? "." : "(?!)";
        }
        return "[" + (not ? "^" : "") + set + "]";
    }

    private static String code(char c) {
        return "\\x{" + Integer.toHexString(c) + "}";
    }

    private void checkPermissions(Path file) throws IOException, SshConfigException {
        PosixFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, PosixFileAttributes.class);
        } catch (UnsupportedOperationException notPosix) {
            return;
        }
        String owner = attributes.owner().getName();
        boolean othersWrite = attributes.permissions().contains(PosixFilePermission.GROUP_WRITE)
                || attributes.permissions().contains(PosixFilePermission.OTHERS_WRITE);
        if ((!owner.equals(localUser) && !owner.equals("root")) || othersWrite) {
            throw new SshConfigException("Bad owner or permissions on " + file + " (owner " + owner + ", "
                    + PosixFilePermissions.toString(attributes.permissions()) + "): as ssh, Caret reads it only when it"
                    + " belongs to you or root and no one else can write it; run chmod go-w " + file);
        }
    }
}
