package io.cutover.sdn.impl;

import io.cutover.sdn.NotMasterException;
import io.cutover.sdn.SdnException;
import io.cutover.store.ReplicatedStore;
import io.cutover.store.StaleVersionException;
import io.cutover.store.Versioned;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The desired state in the replicated store a controller cluster shares: one document, {@value #PATH} under the
 * store's root, the journal's JSON ({@link StateJournal#encode}) compressed with gzip. One document, so that every
 * change (a move's commit moves an endpoint and closes the move) is one compare-and-set: written over the version this
 * controller last read or wrote, or refused with nothing written. A refusal means another controller wrote since: this
 * one is not the master any more ({@link NotMasterException}).
 * <p>
 * A document holds at most {@value #MAX_BYTES} bytes (ZooKeeper refuses znodes of 1 MiB): some 5,000 endpoints
 * compressed (docs/scale-out.md). A larger state is refused before it is written, with nothing changed.
 */
public final class SharedModel implements ModelStore {
    /** The document's path under the store's root. */
    public static final String PATH = "sdn/model";
    /** The largest document written: below ZooKeeper's 1 MiB limit on a znode's data (jute.maxbuffer). */
    public static final int MAX_BYTES = 1_000_000;

    private final ReplicatedStore store;
    /** The version this controller last read or wrote; {@link Versioned#ABSENT} before the first write. */
    private int version = Versioned.ABSENT;

    public SharedModel(ReplicatedStore store) {
        this.store = store;
    }

    /** Reads the state, and takes its version as the one the next {@link #save} writes over. */
    @Override
    public ModelState load() {
        Optional<Versioned> document = store.read(PATH);
        version = document.map(Versioned::version).orElse(Versioned.ABSENT);
        return document.map(d -> StateJournal.decode(gunzip(d.data()), "the store's " + PATH))
                .orElseGet(ModelState::empty);
    }

    @Override
    public void save(ModelState state) {
        byte[] document = gzip(StateJournal.encode(state));
        if (document.length > MAX_BYTES) {
            throw new SdnException("the desired state is " + document.length + " bytes compressed, more than the "
                    + MAX_BYTES + " one document of the store takes (" + state.endpoints().size() + " endpoints); "
                    + "nothing was changed");
        }
        try {
            version = store.write(PATH, document, version);
        } catch (StaleVersionException e) {
            throw new NotMasterException("another controller wrote the desired state since this one read it "
                    + "(version " + version + " of " + PATH + " is gone): this controller is no longer the master, "
                    + "nothing was changed");
        }
    }

    @Override
    public boolean shared() {
        return true;
    }

    /** The version the next save writes over. */
    int version() {
        return version;
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 4 + 64);
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] gunzip(byte[] data) {
        try (GZIPInputStream zip = new GZIPInputStream(new ByteArrayInputStream(data))) {
            return zip.readAllBytes();
        } catch (IOException e) {
            throw new SdnException("the store's " + PATH + " is not a gzip document: " + e.getMessage(), e);
        }
    }
}
