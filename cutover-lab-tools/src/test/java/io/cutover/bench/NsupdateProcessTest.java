package io.cutover.bench;

import io.cutover.ddns.RrsetChange;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NsupdateProcessTest {
    private static final List<RrsetChange> CHANGES = List.of(
            RrsetChange.switchAddress("a.vms.cutover.test.", ip("198.18.20.1"), ip("198.18.60.1"), Duration.ofSeconds(300)),
            RrsetChange.switchAddress("b.vms.cutover.test.", ip("198.18.20.2"), ip("198.18.60.2"), Duration.ofSeconds(300)));

    @Test
    void oneChangePerMessageIsAPrerequisiteADeleteAnAddAndASend() {
        assertThat(NsupdateProcess.script(CHANGES, 1)).isEqualTo("""
                prereq yxrrset a.vms.cutover.test. A 198.18.20.1
                update delete a.vms.cutover.test. A
                update add a.vms.cutover.test. 300 A 198.18.60.1
                send
                prereq yxrrset b.vms.cutover.test. A 198.18.20.2
                update delete b.vms.cutover.test. A
                update add b.vms.cutover.test. 300 A 198.18.60.2
                send
                """);
    }

    @Test
    void aBatchCarriesEveryChangeInOneMessage() {
        assertThat(NsupdateProcess.script(CHANGES, 25)).isEqualTo("""
                prereq yxrrset a.vms.cutover.test. A 198.18.20.1
                prereq yxrrset b.vms.cutover.test. A 198.18.20.2
                update delete a.vms.cutover.test. A
                update add a.vms.cutover.test. 300 A 198.18.60.1
                update delete b.vms.cutover.test. A
                update add b.vms.cutover.test. 300 A 198.18.60.2
                send
                """);
    }

    private static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
