package io.cutover.cli;

import io.cutover.store.StoreCredential;

import java.nio.file.Path;

/** A daemon's {@code --store-auth}: the store's credential, which every client of the store must present. */
final class StoreAuth {
    private StoreAuth() {
    }

    /**
     * The credential in {@code file}.
     *
     * @throws IllegalArgumentException when there is no file (the store asks every client who it is), or it is not a
     *                                  credential its owner alone may read
     */
    static StoreCredential read(Path file) {
        if (file == null) {
            throw new IllegalArgumentException("--store needs --store-auth FILE, the store's credential (one line "
                    + "user:password, mode 0600): the store takes no client that does not say who it is "
                    + "(docs/security.md)");
        }
        try {
            return StoreCredential.read(file);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--store-auth: " + e.getMessage(), e);
        }
    }
}
