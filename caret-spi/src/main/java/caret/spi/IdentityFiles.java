package caret.spi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The check every transport makes before it reads a private key from
 * {@link ConnectionSettings#identities()}, as OpenSSH does: a key file of the user's own that its
 * group or others may read or write is not used (OpenSSH: "UNPROTECTED PRIVATE KEY FILE! ... This
 * private key will be ignored"). The same words on every transport.
 */
@Experimental
public final class IdentityFiles {

    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private IdentityFiles() {
    }

    /**
     * Why {@code file} must not be used, if it must not: it belongs to this user and its group or
     * others have any access to it. Empty for a file that is private, belongs to someone else (as
     * OpenSSH, which checks only the user's own), is missing, or lies on a file system without POSIX
     * permissions.
     */
    public static Optional<String> tooOpen(Path file) {
        PosixFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attributes.isSymbolicLink()) {
                attributes = Files.readAttributes(file, PosixFileAttributes.class);
            }
        } catch (UnsupportedOperationException | IOException e) {
            return Optional.empty(); // the key's reader reports a file it cannot read
        }
        Set<PosixFilePermission> open = EnumSet.noneOf(PosixFilePermission.class);
        open.addAll(attributes.permissions());
        open.retainAll(OTHERS);
        if (open.isEmpty() || !attributes.owner().getName().equals(System.getProperty("user.name"))) {
            return Optional.empty();
        }
        return Optional.of("its permissions " + PosixFilePermissions.toString(attributes.permissions())
                + " are too open: a private key must not be accessible by others, so it is ignored, as"
                + " OpenSSH does. Fix: chmod 600 " + file);
    }
}
