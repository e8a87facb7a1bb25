package io.cutover.qemu;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Objects;

/**
 * An event QEMU sent over QMP, such as {@code MIGRATION} or {@code RESUME}.
 *
 * @param name     the event's name
 * @param data     its {@code data} object (an empty object when QEMU sent none)
 * @param nanoTime when QEMU sent it (its {@code timestamp}; when it was read where that cannot be used), on
 *                 {@link System#nanoTime()}'s scale: comparable with the cutover's other timings
 */
public record QmpEvent(String name, JsonNode data, long nanoTime) {

    public QmpEvent {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(data, "data");
    }

    /** A text field of {@code data}, or an empty string. */
    public String text(String field) {
        return data.path(field).asText("");
    }
}
