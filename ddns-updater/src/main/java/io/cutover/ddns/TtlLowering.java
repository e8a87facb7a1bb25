package io.cutover.ddns;

import java.time.Duration;
import java.time.Instant;

/**
 * A TTL lowered ahead of a move.
 *
 * @param name    the owner name
 * @param oldTtl  the TTL before, remembered (on disk with a journal) for {@link DnsUpdater#restoreTtl}
 * @param newTtl  the TTL now
 * @param readyAt when every cache that fetched the records before the change has dropped them ("DNS ready")
 * @param update  the update that lowered it
 */
public record TtlLowering(String name, Duration oldTtl, Duration newTtl, Instant readyAt, UpdateResult update) {
}
