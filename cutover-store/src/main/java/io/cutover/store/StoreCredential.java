package io.cutover.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;

/**
 * Who a store client is: a user and its password, ZooKeeper's {@code digest} authentication. A client that has one
 * presents it when it connects, and every document it makes is readable and writable by that identity only (no
 * {@code world} access), the store's root included.
 * <p>
 * Its file ({@code --store-auth FILE}) holds one line, {@code user:password}: the user a name without {@code :}, the
 * password at least {@value #MIN_PASSWORD_LENGTH} characters, and the file readable by its owner only (mode 0600, as
 * every secret file of the project): a file that its group or others may read or write is refused.
 *
 * @param user     the identity's name
 * @param password its secret
 * @param source   where it was read, for error messages ({@code null} when given in code)
 */
public record StoreCredential(String user, String password, Path source) {
    /** The shortest password taken, as for the project's bearer tokens. */
    public static final int MIN_PASSWORD_LENGTH = 16;
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    public StoreCredential {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        String where = source == null ? "the store's credential" : "store credential file " + source;
        if (user.isEmpty() || user.contains(":") || !user.strip().equals(user)) {
            throw new IllegalArgumentException(where + ": expected one line user:password, the user not empty");
        }
        if (password.length() < MIN_PASSWORD_LENGTH || !password.strip().equals(password)) {
            throw new IllegalArgumentException(where + ": the password needs at least " + MIN_PASSWORD_LENGTH
                    + " characters, without surrounding white space");
        }
    }

    /** The credential {@code user:password} given in code. */
    public static StoreCredential of(String user, String password) {
        return new StoreCredential(user, password, null);
    }

    /**
     * Reads {@code file}: one line {@code user:password}.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read, is open to its group or others, or does
     *                                  not hold a credential
     */
    public static StoreCredential read(Path file) {
        String text;
        try {
            Set<PosixFilePermission> open = EnumSet.copyOf(Files.getPosixFilePermissions(file));
            open.retainAll(OTHERS);
            if (!open.isEmpty()) {
                throw new IllegalArgumentException("store credential file " + file + " is open to its group or others ("
                        + java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file))
                        + "): make it readable by its owner only (chmod 600)");
            }
            text = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalArgumentException("store credential file " + file + ": cannot read it: " + e, e);
        }
        int colon = text.indexOf(':');
        if (colon < 0 || text.contains("\n")) {
            throw new IllegalArgumentException("store credential file " + file
                    + ": expected one line user:password");
        }
        return new StoreCredential(text.substring(0, colon), text.substring(colon + 1), file);
    }

    /**
     * Makes a new credential for {@code user} with a random password (32 bytes, in hex) and writes it to {@code file},
     * readable by its owner only.
     */
    public static StoreCredential create(Path file, String user) {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        StoreCredential credential = new StoreCredential(user, HexFormat.of().formatHex(raw), file);
        try {
            Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, user + ":" + credential.password() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("store credential file " + file + ": cannot write it: " + e, e);
        }
        return credential;
    }

    /** Where it came from, for error messages: its file, or "the credential given". */
    public String origin() {
        return source == null ? "the credential given" : source.toString();
    }

    @Override
    public String toString() {
        return "StoreCredential[" + user + ", from " + origin() + "]";
    }
}
