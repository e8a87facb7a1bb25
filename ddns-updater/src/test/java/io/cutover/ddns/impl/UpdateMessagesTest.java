package io.cutover.ddns.impl;

import io.cutover.ddns.PendingUpdate;
import io.cutover.ddns.RrsetChange;
import io.cutover.ddns.TsigAlgorithm;
import io.cutover.ddns.TsigKey;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class UpdateMessagesTest {
    private static final TsigKey KEY = new TsigKey("k", TsigAlgorithm.HMAC_SHA256, new byte[32]);

    private static PendingUpdate update(String owner, RrsetChange... changes) {
        return new PendingUpdate(1, Instant.now(), "vms.cutover.test.", owner, List.of(changes));
    }

    @Test
    void aSwitchRequiresExactlyTheOldAddressThenReplacesTheRrset() {
        RrsetChange change = new RrsetChange("vm1.vms.cutover.test.", "A", Duration.ofSeconds(60), List.of("198.18.0.1"),
                List.of("198.18.0.2"));
        Message message = UpdateMessages.build(update(null, change), null, 77);
        assertThat(message.getHeader().getOpcode()).isEqualTo(Opcode.UPDATE);
        assertThat(message.getHeader().getID()).isEqualTo(77);
        assertThat(message.getQuestion().getName().toString()).isEqualTo("vms.cutover.test.");
        List<Record> prereq = message.getSection(Section.PREREQ);
        assertThat(prereq).hasSize(1);
        assertThat(prereq.get(0).getDClass()).isEqualTo(DClass.IN);
        assertThat(prereq.get(0).getTTL()).isZero();
        assertThat(prereq.get(0).rdataToString()).isEqualTo("198.18.0.1");
        List<Record> updates = message.getSection(Section.UPDATE);
        assertThat(updates).hasSize(2);
        assertThat(updates.get(0).getDClass()).isEqualTo(DClass.ANY);
        assertThat(updates.get(0).getType()).isEqualTo(Type.A);
        assertThat(updates.get(1).getTTL()).isEqualTo(60);
        assertThat(updates.get(1).rdataToString()).isEqualTo("198.18.0.2");
    }

    @Test
    void creatingRequiresThatNothingIsThereAndOwnershipIsAPrerequisiteOncePerName() {
        RrsetChange a = new RrsetChange("n.vms.cutover.test.", "A", Duration.ofSeconds(60), List.of(), List.of("198.18.0.2"));
        RrsetChange aaaa = new RrsetChange("n.vms.cutover.test.", "AAAA", Duration.ofSeconds(60), List.of(), List.of("2001:2::2"));
        Message message = UpdateMessages.build(update("me", a, aaaa), "\"heritage=cutover,cutover/owner=me\"", 1);
        List<Record> prereq = message.getSection(Section.PREREQ);
        assertThat(prereq).hasSize(3);
        assertThat(prereq.get(0).getDClass()).isEqualTo(DClass.NONE);
        assertThat(prereq.get(1).getType()).isEqualTo(Type.TXT);
        assertThat(prereq.get(1).rdataToString()).contains("owner=me");
        assertThat(prereq.get(2).getDClass()).isEqualTo(DClass.NONE);
        assertThat(prereq.get(2).getType()).isEqualTo(Type.AAAA);
    }

    @Test
    void theSignedMessageVerifiesWithTheKeyAndNotWithAnother() throws Exception {
        RrsetChange change = new RrsetChange("vm1.vms.cutover.test.", "A", Duration.ofSeconds(60), List.of("198.18.0.1"),
                List.of("198.18.0.2"));
        Message message = UpdateMessages.build(update(null, change), null, 5);
        TSIG signer = UpdateMessages.signer(KEY);
        UpdateMessages.sign(message, signer);
        byte[] wire = message.toWire(Message.MAXLENGTH);
        Message received = new Message(wire);
        assertThat(received.getTSIG()).isNotNull();
        assertThat(signer.verify(received, wire, null)).isEqualTo(Rcode.NOERROR);
        TSIG other = UpdateMessages.signer(new TsigKey("k", TsigAlgorithm.HMAC_SHA256, new byte[] {1, 2, 3}));
        assertThat(other.verify(new Message(wire), wire, null)).isEqualTo(Rcode.BADSIG);
    }
}
