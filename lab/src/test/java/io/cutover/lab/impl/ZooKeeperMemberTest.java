package io.cutover.lab.impl;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ZooKeeperMemberTest {

    @Test
    void configNamesEveryMemberServesOnItsOwnAddressAndKeepsTheAdminServerOff() {
        String cfg = ZooKeeperMember.config(Path.of("/run/cutover/labs/x/store/zk2/data"), "198.19.3.6");
        assertThat(cfg).contains("dataDir=/run/cutover/labs/x/store/zk2/data\n", "clientPortAddress=198.19.3.6\n",
                "clientPort=2181\n", "admin.enableServer=false\n", "4lw.commands.whitelist=srvr,ruok\n",
                "server.1=198.19.3.2:2888:3888\n", "server.2=198.19.3.6:2888:3888\n",
                "server.3=198.19.3.10:2888:3888\n", "enforce.auth.enabled=true\n", "enforce.auth.schemes=digest\n");
    }

    @Test
    void runsTheServerInTheMembersNamespaceWithASmallHeap() {
        ZooKeeperMember member = new ZooKeeperMember(Path.of("/tmp/zk3"), "zk3", "lab-x-zk3");
        assertThat(member.id()).isEqualTo(3);
        assertThat(member.commandLine()).startsWith("setsid", "ip", "netns", "exec", "lab-x-zk3", "java")
                .contains("-Xmx64m", "org.apache.zookeeper.server.quorum.QuorumPeerMain", "/tmp/zk3/zoo.cfg");
    }
}
