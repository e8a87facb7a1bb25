package io.cutover.ddns.impl;

import io.cutover.ddns.PendingUpdate;
import io.cutover.ddns.RrsetChange;
import io.cutover.ddns.TsigAlgorithm;
import io.cutover.ddns.TsigKey;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Builds the RFC 2136 UPDATE message of a {@link PendingUpdate}: for each change, prerequisites that the
 * RRset holds exactly the expected rdata (or does not exist), that the name carries our ownership TXT (when
 * we have an owner id), then a delete of the RRset and the adds of the desired rdata.
 */
public final class UpdateMessages {
    private UpdateMessages() {
    }

    /** A dnsjava signer for {@code key}. */
    public static TSIG signer(TsigKey key) {
        try {
            return new TSIG(algorithmName(key.algorithm()), Name.fromString(key.name(), Name.root), key.secret());
        } catch (TextParseException e) {
            throw new IllegalArgumentException("bad TSIG key name '" + key.name() + "': " + e.getMessage(), e);
        }
    }

    static Name algorithmName(TsigAlgorithm algorithm) {
        return switch (algorithm) {
            case HMAC_SHA1 -> TSIG.HMAC_SHA1;
            case HMAC_SHA224 -> TSIG.HMAC_SHA224;
            case HMAC_SHA256 -> TSIG.HMAC_SHA256;
            case HMAC_SHA384 -> TSIG.HMAC_SHA384;
            case HMAC_SHA512 -> TSIG.HMAC_SHA512;
        };
    }

    /** The unsigned UPDATE message for {@code update}, with message id {@code id}. */
    public static Message build(PendingUpdate update, String ownerTxt, int id) {
        Update message = new Update(RrsetChange.absolute(update.zone()));
        message.getHeader().setID(id);
        Set<Name> owned = new LinkedHashSet<>();
        for (RrsetChange change : update.changes()) {
            Name name = change.owner();
            int type = change.typeCode();
            if (change.expected().isEmpty()) {
                message.absent(name, type);
            } else {
                for (String rdata : change.expected()) {
                    message.present(record(name, type, 0, rdata));
                }
            }
            if (ownerTxt != null && update.owner() != null && owned.add(name)) {
                message.present(record(name, Type.TXT, 0, ownerTxt));
            }
        }
        for (RrsetChange change : update.changes()) {
            Name name = change.owner();
            int type = change.typeCode();
            message.delete(name, type);
            for (String rdata : change.desired()) {
                message.add(record(name, type, change.ttl().getSeconds(), rdata));
            }
        }
        return message;
    }

    /** Signs {@code message} (adds its TSIG record) and returns the record, to verify the answer with. */
    public static TSIGRecord sign(Message message, TSIG signer) {
        signer.apply(message, null);
        return message.getTSIG();
    }

    static Record record(Name name, int type, long ttl, String rdata) {
        try {
            return Record.fromString(name, type, DClass.IN, ttl, rdata, Name.root);
        } catch (IOException e) {
            throw new IllegalArgumentException("bad " + Type.string(type) + " data '" + rdata + "': " + e.getMessage(), e);
        }
    }

    /** Whether the message carries a record in its update section, for tests. */
    static boolean updates(Message message, Record record) {
        return message.findRecord(record, Section.UPDATE);
    }
}
