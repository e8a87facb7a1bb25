package io.cutover.tunnel;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DrainPolicyTest {
    private static final DrainPolicy POLICY = new DrainPolicy(Duration.ofSeconds(30), Duration.ofMinutes(10), null);
    private static final Instant T = Instant.parse("2026-12-04T10:00:00Z");

    @Test
    void withoutADnsRuleIdlenessEndsTheMove() {
        assertThat(POLICY.due(Duration.ofMinutes(1), Duration.ofSeconds(29), null)).isEmpty();
        assertThat(POLICY.due(Duration.ofMinutes(1), Duration.ofSeconds(30), null)).contains(DrainPolicy.Rule.IDLE);
    }

    @Test
    void withADnsRuleBothMustHold() {
        assertThat(POLICY.due(Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofSeconds(1)))
                .as("idle, but a resolver may still hold the old address").isEmpty();
        assertThat(POLICY.due(Duration.ofMinutes(1), Duration.ofSeconds(1), Duration.ofSeconds(-60)))
                .as("expired, but busy").isEmpty();
        assertThat(POLICY.due(Duration.ofMinutes(1), Duration.ofSeconds(30), Duration.ZERO))
                .contains(DrainPolicy.Rule.DNS_AND_IDLE);
        assertThat(POLICY.due(Duration.ofMinutes(9), Duration.ofMinutes(9), DrainPolicy.DNS_EXPIRY_UNKNOWN))
                .as("no switch seen: only the hard maximum").isEmpty();
    }

    @Test
    void theHardMaximumEndsAnyMove() {
        assertThat(POLICY.due(Duration.ofMinutes(10), Duration.ZERO, DrainPolicy.DNS_EXPIRY_UNKNOWN))
                .contains(DrainPolicy.Rule.HARD_MAXIMUM);
        assertThat(POLICY.due(Duration.ofMinutes(10), Duration.ZERO, null)).contains(DrainPolicy.Rule.HARD_MAXIMUM);
    }

    @Test
    void resolversLetGoAtTheLaterOfTheOriginalTtlFromTheLoweringAndTheLoweredOneFromTheSwitch() {
        assertThat(new DrainPolicy.DnsChange(Duration.ofSeconds(300), T, Duration.ofSeconds(5), T.plusSeconds(60))
                .expiry()).contains(T.plusSeconds(300));
        assertThat(new DrainPolicy.DnsChange(Duration.ofSeconds(300), T, Duration.ofSeconds(5), T.plusSeconds(400))
                .expiry()).contains(T.plusSeconds(405));
        assertThat(DrainPolicy.DnsChange.switched(Duration.ofSeconds(5), T).expiry()).contains(T.plusSeconds(5));
        assertThat(new DrainPolicy.DnsChange(Duration.ofSeconds(300), T, null, null).expiry()).as("not switched").isEmpty();
    }

    @Test
    void aDnsChangeIsChecked() {
        assertThatThrownBy(() -> new DrainPolicy.DnsChange(Duration.ofSeconds(300), null, null, null))
                .hasMessageContaining("originalTtl and loweredAt");
        assertThatThrownBy(() -> new DrainPolicy.DnsChange(null, null, Duration.ofSeconds(-1), T))
                .hasMessageContaining("loweredTtl must be >= 0");
        assertThatThrownBy(() -> new DrainPolicy.DnsChange(Duration.ofSeconds(300), T, Duration.ofSeconds(5), T.minusSeconds(1)))
                .hasMessageContaining("before loweredAt");
    }

    @Test
    void rulesHaveTheirLabels() {
        assertThat(DrainPolicy.Rule.DNS_AND_IDLE.label()).isEqualTo("dns-and-idle");
        assertThat(DrainPolicy.Rule.HARD_MAXIMUM.label()).isEqualTo("hard-maximum");
        assertThat(DrainPolicy.Rule.IDLE.label()).isEqualTo("idle");
    }
}
