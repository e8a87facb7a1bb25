package io.cutover.store;

import java.time.Duration;
import java.util.Objects;

/**
 * How to reach the replicated store.
 *
 * @param connectString    the members, {@code host:port,host:port,...} (ZooKeeper's connect string)
 * @param sessionTimeout   how long the store keeps a client's session (its leaderships) after it stops hearing from
 *                         it; default {@value #DEFAULT_SESSION_TIMEOUT_MS} ms
 * @param operationTimeout how long one operation waits for a member with a quorum before it fails with
 *                         {@link StoreUnavailableException}; default {@value #DEFAULT_OPERATION_TIMEOUT_MS} ms
 * @param root             the path under which everything of this store lives (one cluster, one root); default
 *                         {@value #DEFAULT_ROOT}
 * @param credential       who the client is ({@link StoreCredential}): it authenticates with it and makes every
 *                         document readable and writable by it only; {@code null} for none (a store open to all,
 *                         such as a test's server on loopback)
 */
public record StoreOptions(String connectString, Duration sessionTimeout, Duration operationTimeout, String root,
                           StoreCredential credential) {
    public static final long DEFAULT_SESSION_TIMEOUT_MS = 10_000;
    public static final long DEFAULT_OPERATION_TIMEOUT_MS = 5_000;
    public static final String DEFAULT_ROOT = "cutover";

    public StoreOptions {
        Objects.requireNonNull(connectString, "connectString");
        if (connectString.isBlank()) {
            throw new IllegalArgumentException("the store's connect string is empty (expected host:port,...)");
        }
        Objects.requireNonNull(sessionTimeout, "sessionTimeout");
        Objects.requireNonNull(operationTimeout, "operationTimeout");
        Objects.requireNonNull(root, "root");
        if (sessionTimeout.isNegative() || sessionTimeout.isZero() || operationTimeout.isNegative()
                || operationTimeout.isZero()) {
            throw new IllegalArgumentException("the store's timeouts must be positive (session " + sessionTimeout
                    + ", operation " + operationTimeout + ")");
        }
        if (root.isEmpty() || root.startsWith("/") || root.endsWith("/")) {
            throw new IllegalArgumentException("the store's root '" + root + "' must be a relative path such as "
                    + DEFAULT_ROOT);
        }
    }

    /** The defaults for the members of {@code connectString}. */
    public static StoreOptions of(String connectString) {
        return new StoreOptions(connectString, Duration.ofMillis(DEFAULT_SESSION_TIMEOUT_MS),
                Duration.ofMillis(DEFAULT_OPERATION_TIMEOUT_MS), DEFAULT_ROOT, null);
    }

    public StoreOptions withSessionTimeout(Duration timeout) {
        return new StoreOptions(connectString, timeout, operationTimeout, root, credential);
    }

    public StoreOptions withOperationTimeout(Duration timeout) {
        return new StoreOptions(connectString, sessionTimeout, timeout, root, credential);
    }

    public StoreOptions withRoot(String newRoot) {
        return new StoreOptions(connectString, sessionTimeout, operationTimeout, newRoot, credential);
    }

    public StoreOptions withCredential(StoreCredential newCredential) {
        return new StoreOptions(connectString, sessionTimeout, operationTimeout, root, newCredential);
    }
}
