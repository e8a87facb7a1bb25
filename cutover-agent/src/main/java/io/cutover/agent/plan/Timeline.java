package io.cutover.agent.plan;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The record of when each stage and step of a cutover happened; subscribers see each entry as it is added. */
public final class Timeline {
    private final long origin = System.nanoTime();
    private final List<TimelineEntry> entries = new CopyOnWriteArrayList<>();
    private final List<Consumer<TimelineEntry>> subscribers = new CopyOnWriteArrayList<>();
    /** The entries in the order they arrived, guarded by {@code entries}' lock, as are the followers. */
    private final List<TimelineEntry> arrivals = new java.util.ArrayList<>();
    private final List<Consumer<Arrival>> followers = new java.util.ArrayList<>();

    /**
     * An entry and its place in the order entries arrived in (0 the first): an event stream's id, which a client
     * that reconnects gives back to resume after it.
     */
    public record Arrival(int id, TimelineEntry entry) {
    }

    public TimelineEntry add(String what, String event, String detail) {
        return addAt(System.nanoTime(), what, event, detail);
    }

    /**
     * Records something that happened at {@code nanoTime} (a {@link System#nanoTime()} instant, possibly in the
     * past, such as an observation made elsewhere), in its place in time among the entries.
     */
    public TimelineEntry addAt(long nanoTime, String what, String event, String detail) {
        TimelineEntry entry = new TimelineEntry((nanoTime - origin) / 1_000, what, event, detail == null ? "" : detail);
        synchronized (entries) {
            int at = entries.size();
            while (at > 0 && entries.get(at - 1).atMicros() > entry.atMicros()) {
                at--;
            }
            entries.add(at, entry);
            Arrival arrival = new Arrival(arrivals.size(), entry);
            arrivals.add(entry);
            followers.forEach(follower -> follower.accept(arrival));
        }
        subscribers.forEach(subscriber -> subscriber.accept(entry));
        return entry;
    }

    /**
     * The {@link System#nanoTime()} of the first entry for {@code what} and {@code event}.
     *
     * @throws java.util.NoSuchElementException if there is none
     */
    public long nanoTimeOf(String what, String event) {
        return entries.stream().filter(e -> e.what().equals(what) && e.event().equals(event)).findFirst()
                .map(e -> origin + e.atMicros() * 1_000)
                .orElseThrow(() -> new java.util.NoSuchElementException("no " + what + " " + event + " on the timeline"));
    }

    /**
     * The {@link System#nanoTime()} of {@code atMicros} 0. On Linux that is the host's monotonic clock, so other
     * processes of the host can place the entries on their own timelines.
     */
    public long originNanos() {
        return origin;
    }

    public List<TimelineEntry> entries() {
        return List.copyOf(entries);
    }

    /** Calls {@code subscriber} with every entry added from now on; returns what is already there. */
    public List<TimelineEntry> subscribe(Consumer<TimelineEntry> subscriber) {
        subscribers.add(subscriber);
        return entries();
    }

    public void unsubscribe(Consumer<TimelineEntry> subscriber) {
        subscribers.remove(subscriber);
    }

    /**
     * Calls {@code follower} with every entry added from now on, numbered in the order they arrive, and returns those
     * that arrived from number {@code from} on: nothing is missed or repeated between the two. {@code follower} is
     * called while the timeline is locked: it must only hand the entry on.
     */
    public List<Arrival> follow(int from, Consumer<Arrival> follower) {
        synchronized (entries) {
            followers.add(follower);
            List<Arrival> past = new java.util.ArrayList<>();
            for (int id = Math.max(0, from); id < arrivals.size(); id++) {
                past.add(new Arrival(id, arrivals.get(id)));
            }
            return past;
        }
    }

    public void unfollow(Consumer<Arrival> follower) {
        synchronized (entries) {
            followers.remove(follower);
        }
    }
}
