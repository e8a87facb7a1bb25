package io.cutover.agent.libvirt;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * One of libvirt's lifecycle events for a domain, as {@code virsh event --loop --event lifecycle --timestamp} prints
 * it:
 *
 * <pre>
 * 2026-12-04 16:00:00.123+0000: event 'lifecycle' for domain 'qvm': Suspended Migrated
 * </pre>
 *
 * @param at       when virsh printed it (its clock, to the millisecond; UTC)
 * @param nanoTime this process's {@link System#nanoTime()} when the line was read: what the plan's timeline uses
 * @param domain   the domain's name
 * @param type     what happened
 * @param detail   why, as virsh words it ({@code Migrated}, {@code Post-copy}, {@code Failed}, {@code I/O Error}...;
 *                 empty when virsh gave none)
 */
public record LibvirtEvent(Instant at, long nanoTime, String domain, Type type, String detail) {
    /** The lifecycle events, by the word virsh prints for each. */
    public enum Type {
        DEFINED("Defined"),
        UNDEFINED("Undefined"),
        STARTED("Started"),
        SUSPENDED("Suspended"),
        RESUMED("Resumed"),
        STOPPED("Stopped"),
        SHUTDOWN("Shutdown"),
        PMSUSPENDED("PMSuspended"),
        CRASHED("Crashed");

        private final String word;

        Type(String word) {
            this.word = word;
        }

        /** The word virsh prints. */
        public String word() {
            return word;
        }

        static Optional<Type> of(String word) {
            return Arrays.stream(values()).filter(type -> type.word.equals(word)).findFirst();
        }
    }

    /** The detail of a migration's own events (the pause, the resume and the stop it causes). */
    public static final String MIGRATED = "Migrated";
    /** The detail of a post-copy migration's pause and resume. */
    public static final String POST_COPY = "Post-copy";

    private static final String MARK = "event 'lifecycle' for domain '";
    private static final DateTimeFormatter VIRSH_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS",
            Locale.ROOT);

    /** Whether it is {@code type} with one of {@code details}. */
    public boolean is(Type type, String... details) {
        return this.type == type && Arrays.asList(details).contains(detail);
    }

    /** Whether it is a migration's own {@code type}: its detail is {@code Migrated} or {@code Post-copy}. */
    public boolean migrating(Type type) {
        return is(type, MIGRATED, POST_COPY);
    }

    /** As virsh words it, such as {@code Suspended Migrated}. */
    public String words() {
        return detail.isEmpty() ? type.word() : type.word() + " " + detail;
    }

    /**
     * The lifecycle event on {@code line}, read at {@code nanoTime}; empty for anything else virsh prints (blank
     * lines, {@code event loop timed out}, {@code events received: N}, other kinds of event). The domain's name is
     * what lies between {@code for domain '} and the last {@code ': }, so a name with quotes or spaces is read whole;
     * a line without virsh's timestamp is stamped with the time it was read.
     */
    public static Optional<LibvirtEvent> parse(String line, long nanoTime) {
        int mark = line.indexOf(MARK);
        int nameEnd = line.lastIndexOf("': ");
        if (mark < 0 || nameEnd < mark + MARK.length()) {
            return Optional.empty();
        }
        String domain = line.substring(mark + MARK.length(), nameEnd);
        String[] words = line.substring(nameEnd + 3).strip().split(" ", 2);
        Optional<Type> type = Type.of(words[0]);
        if (domain.isEmpty() || type.isEmpty()) {
            return Optional.empty();
        }
        String detail = words.length > 1 ? words[1].strip() : "";
        return Optional.of(new LibvirtEvent(timestamp(line.substring(0, mark)), nanoTime, domain, type.get(),
                detail));
    }

    /**
     * The event a domain's state implies it last had, from {@code virsh domstate --reason}'s answer such as {@code
     * paused (migrating)}: empty where the state says nothing about a migration's course or the guest's end. What
     * {@link LibvirtEvents} hands on when {@code virsh event} was restarted and may have missed the event itself.
     */
    public static Optional<LibvirtEvent> fromState(String domain, String stateWithReason, long nanoTime) {
        String text = stateWithReason.strip();
        int open = text.indexOf(" (");
        String state = open < 0 ? text : text.substring(0, open);
        String reason = open < 0 || !text.endsWith(")") ? "" : text.substring(open + 2, text.length() - 1);
        Type type;
        String detail;
        switch (state + "/" + reason) {
            case "paused/migrating" -> { type = Type.SUSPENDED; detail = MIGRATED; }
            case "paused/post-copy" -> { type = Type.SUSPENDED; detail = POST_COPY; }
            case "running/migrated", "running/migration canceled" -> { type = Type.RESUMED; detail = MIGRATED; }
            case "running/post-copy" -> { type = Type.RESUMED; detail = POST_COPY; }
            case "shut off/migrated" -> { type = Type.STOPPED; detail = MIGRATED; }
            case "shut off/crashed", "shut off/destroyed", "shut off/shutdown", "shut off/failed" -> {
                type = Type.STOPPED;
                detail = Character.toUpperCase(reason.charAt(0)) + reason.substring(1);
            }
            default -> {
                if (!state.equals("crashed")) {
                    return Optional.empty();
                }
                type = Type.CRASHED;
                detail = "";
            }
        }
        return Optional.of(new LibvirtEvent(Instant.now(), nanoTime, domain, type, detail));
    }

    /** virsh's {@code 2026-12-04 16:00:00.123+0000: }, or now when there is none. */
    private static Instant timestamp(String prefix) {
        String text = prefix.strip();
        if (text.endsWith(":")) {
            text = text.substring(0, text.length() - 1);
        }
        if (text.endsWith("+0000")) {
            try {
                return LocalDateTime.parse(text.substring(0, text.length() - 5), VIRSH_TIME).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                return Instant.now();
            }
        }
        return Instant.now();
    }
}
