package io.cutover.it.lab;

import io.cutover.it.LabExtension;
import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** The WAN lab routes between its sites and its client network, and gives the hosts a direct underlay. */
class WanLabIT {
    @RegisterExtension
    static final LabExtension LAB = LabExtension.of(Topology.WAN);

    @Test
    void clientReachesTheVmAtSiteAThroughThreeRouters() {
        Lab lab = LAB.lab();
        var ping = lab.exec("client", "ping", "-c", "3", "-i", "0.2", "-W", "2", lab.port("vm1").ipv4Address());
        assertThat(ping.ok()).as(ping.stdout()).isTrue();
        var trace = lab.exec("client", "ping", "-c", "1", "-t", "2", "-W", "2", lab.port("vm1").ipv4Address());
        assertThat(trace.ok()).as("a TTL of 2 must not reach the VM behind wan and rtrA").isFalse();
    }

    @Test
    void sitesAreDifferentSubnetsAndHostsShareTheUnderlay() {
        Lab lab = LAB.lab();
        assertThat(lab.port("hostA").ipv4()).startsWith("198.18.1.");
        assertThat(lab.port("hostB").ipv4()).startsWith("198.18.2.");
        lab.exec("hostA", "ping", "-c", "1", "-W", "2", lab.port("hostB").ipv4Address()).orThrow();
        lab.exec("hostA", "ping", "-c", "1", "-W", "2", "198.19.0.2").orThrow();
        lab.exec("client", "dig", "+short", "+time=2", "@" + lab.dnsServer(), "vm1." + Topology.ZONE).orThrow();
    }

    @Test
    void theRootNamespaceHasNoRouteIntoTheLab() {
        var routes = io.cutover.lab.impl.Shell.run("ip", "route", "show").orThrow().stdout();
        assertThat(routes).doesNotContain("198.18.", "198.19.");
    }
}
