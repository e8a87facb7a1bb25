package io.cutover.demo;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a demo started, closed newest first when it ends, each one whatever the others do: a resource that cannot
 * be closed is logged, and the lab's removal ends whatever is left in its namespaces.
 */
final class Resources implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Resources.class);

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    /** Takes {@code resource} to close; returns it. */
    <T extends AutoCloseable> T add(T resource) {
        opened.push(resource);
        return resource;
    }

    @Override
    public void close() {
        while (!opened.isEmpty()) {
            AutoCloseable resource = opened.pop();
            try {
                resource.close();
            } catch (Exception | Error e) {
                LOG.warn("cannot close {}: {}", resource, e.toString(), e);
            }
        }
    }
}
