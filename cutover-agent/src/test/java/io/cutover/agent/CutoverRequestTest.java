package io.cutover.agent;

import io.cutover.migration.IntegrityCheck;
import io.cutover.migration.MigrationOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A cutover request's checks and defaults, and the migration options the built-in migrator makes of it. */
class CutoverRequestTest {
    private static final String GUEST = "synthetic:size=4m";

    private static CutoverRequest request(CutoverRequest.Migrator migrator, String destinationPort) {
        return new CutoverRequest("a-vm-with-a-long-name", "02:00:c6:12:00:64", List.of("198.18.0.100"), "hostA",
                "hostB", "lan", null, null, 64, migrator, destinationPort, null);
    }

    private static CutoverRequest.Migrator migrator(Integer channels, String xbzrleCache) {
        return withProgressTimeout(null, channels, xbzrleCache);
    }

    private static CutoverRequest.Migrator withProgressTimeout(String progressTimeout, Integer channels,
                                                               String xbzrleCache) {
        return new CutoverRequest.Migrator(GUEST, null, null, channels, xbzrleCache, progressTimeout, null, null, null,
                null, null, null, null, null, null, null, null, null, null);
    }

    @Test
    void aLibvirtDomainIsNamedSanelyAndNotWithAMigrator() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper()
                .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        CutoverRequest read = json.readValue("""
                {"vm": "vm1", "mac": "02:00:c6:12:00:64", "addresses": ["198.18.0.100"], "source": "hostA",
                 "destination": "hostB", "memoryMiB": 64, "libvirt": {"domain": "instance-0000002a"}}""",
                CutoverRequest.class).validated();
        assertThat(read.byLibvirt()).isTrue();
        assertThat(read.libvirt().domain()).isEqualTo("instance-0000002a");
        assertThat(read.migrator()).isNull();
        assertThat(request(null, null).validated().byLibvirt()).isFalse();

        for (String bad : new String[] {null, "", "-x", "a b", "it's", "../etc", "x".repeat(201)}) {
            assertThatThrownBy(() -> withLibvirt(null, bad).validated()).as(String.valueOf(bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("libvirt.domain: expected");
        }
        assertThatThrownBy(() -> withLibvirt(CutoverRequest.Migrator.builtIn(GUEST), "qvm").validated())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("libvirt: expected either libvirt");
    }

    private static CutoverRequest withLibvirt(CutoverRequest.Migrator migrator, String domain) {
        return new CutoverRequest("vm1", "02:00:c6:12:00:64", List.of("198.18.0.100"), "hostA", "hostB", "lan", null,
                null, 64, migrator, null, null, new CutoverRequest.Libvirt(domain));
    }

    @Test
    void qemusMigrationTakesTheBuiltInMigratorsNamesAndMapsThemOntoQemusRequest() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper()
                .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        CutoverRequest.Qemu qemu = json.readValue("""
                {"uri": "tcp:198.19.0.2:4444", "downtime": "250ms", "maxBandwidth": "1g", "channels": 1,
                 "xbzrleCache": "16m", "autoConverge": true}""", CutoverRequest.Qemu.class);
        io.cutover.api.MigrationRequest asked = request(CutoverRequest.Migrator.byQemu(qemu), null).validated()
                .migrator().qemu().request("c-1", "vm1");
        assertThat(asked.downtimeLimit()).contains(Duration.ofMillis(250));
        assertThat(asked.maxBandwidth()).contains(1L << 30);
        assertThat(asked.xbzrleCache()).contains(16L << 20);
        assertThat(asked.autoConverge()).isTrue();
        assertThat(asked.postCopyAllowed()).isFalse();
        assertThat(new CutoverRequest.Qemu("unix:/run/m.sock", null, 300L, null, null, null, null, null).validated()
                .request("c-1", "vm1").downtimeLimit()).as("the older downtimeLimitMs").contains(Duration.ofMillis(300));

        assertThatThrownBy(() -> new CutoverRequest.Qemu("unix:/run/m.sock", "1s", 300L, null, null, null, null, null)
                .validated()).hasMessageStartingWith("migrator.qemu.downtime: ").hasMessageContaining("not both");
        assertThatThrownBy(() -> new CutoverRequest.Qemu("unix:/run/m.sock", "soon", null, null, null, null, null, null)
                .validated()).hasMessageStartingWith("migrator.qemu.downtime");
        assertThatThrownBy(() -> new CutoverRequest.Qemu("unix:/run/m.sock", null, null, null, null, "1k", null, null)
                .validated()).hasMessageStartingWith("migrator.qemu.xbzrleCache: ");
        assertThatThrownBy(() -> json.readValue("{\"uri\": \"unix:/run/m.sock\", \"dynamicRate\": true}",
                CutoverRequest.Qemu.class)).as("the built-in migrator's own policy").hasMessageContaining("dynamicRate");
    }

    @Test
    void theDestinationPortIsTheVmsNameUnlessTheRequestNamesOne() {
        assertThat(request(null, null).validated().destinationPort()).isEqualTo("a-vm-with-a-long-name");
        assertThat(request(null, "tap-vm1").validated().destinationPort()).isEqualTo("tap-vm1");
        assertThat(request(null, "x".repeat(15)).validated().destinationPort()).hasSize(15);
    }

    @Test
    void aDestinationPortMustBeAnOpenVswitchPortName() {
        for (String bad : List.of("x".repeat(16), "", "-tap", "tap vm1", "tap/vm1")) {
            assertThatThrownBy(() -> request(null, bad).validated()).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("destinationPort: ")
                    .hasMessageContaining("at most 15");
        }
    }

    @Test
    void theMigratorRunsOneConnectionWithoutXbzrleByDefault() {
        CutoverRequest.Migrator settings = request(migrator(null, null), null).validated().migrator();
        assertThat(settings.channels()).isEqualTo(MigrationOptions.DEFAULT_CHANNELS);
        assertThat(settings.xbzrleCache()).isNull();
        MigrationOptions options = BuiltInMigrator.options(settings);
        assertThat(options.channels()).isEqualTo(1);
        assertThat(options.xbzrleCacheBytes()).isZero();
        assertThat(options.integrity()).isEqualTo(IntegrityCheck.FULL_MEMORY);
        assertThat(options.progressTimeout())
                .isEqualTo(Duration.ofSeconds(MigrationOptions.DEFAULT_PROGRESS_TIMEOUT_S));
    }

    @Test
    void theMigratorsProgressTimeoutReachesTheMigrationOptionsAndABadOneIsNamed() {
        CutoverRequest.Migrator settings = request(withProgressTimeout("2.5s", null, null), null).validated().migrator();
        assertThat(BuiltInMigrator.options(settings).progressTimeout()).isEqualTo(Duration.ofMillis(2500));
        for (String bad : List.of("0s", "0", "-5s", "5", "soon")) {
            assertThatThrownBy(() -> request(withProgressTimeout(bad, null, null), null).validated()).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("migrator.progressTimeout");
        }
    }

    @Test
    void theMigratorsChannelsAndXbzrleCacheReachTheMigrationOptions() {
        CutoverRequest.Migrator settings = request(migrator(MigrationOptions.MAX_CHANNELS, "64m"), null).validated()
                .migrator();
        MigrationOptions options = BuiltInMigrator.options(settings);
        assertThat(options.channels()).isEqualTo(MigrationOptions.MAX_CHANNELS);
        assertThat(options.xbzrleCacheBytes()).isEqualTo(64L << 20);
    }

    @Test
    void badChannelsAreNamedInTheError() {
        for (int bad : List.of(0, -1, MigrationOptions.MAX_CHANNELS + 1)) {
            assertThatThrownBy(() -> request(migrator(bad, null), null).validated()).as("channels " + bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("migrator.channels: channels must be 1 to " + MigrationOptions.MAX_CHANNELS + ", was "
                            + bad);
        }
    }

    @Test
    void aBadXbzrleCacheIsNamedInTheError() {
        for (String bad : List.of("lots", "-64m", "")) {
            assertThatThrownBy(() -> request(migrator(null, bad), null).validated()).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("migrator.xbzrleCache: ");
        }
    }

    @Test
    void theMigratorTakesEverySettingMigrateSendTakesReadTheSameWay() {
        CutoverRequest.Migrator settings = request(new CutoverRequest.Migrator(GUEST, "sent_pages", "100m", 1, "0",
                "5s", "100ms", 4, "1s", true, "20m", "10m", true, false, "lz4", 12, "2m", "postcopy", null), null)
                .validated().migrator();
        assertThat(settings.settings().keySet()).containsExactlyInAnyOrderElementsOf(
                io.cutover.migration.MigrationSettings.NAMES);
        MigrationOptions options = BuiltInMigrator.options(settings);
        assertThat(options.integrity()).isEqualTo(IntegrityCheck.SENT_PAGES);
        assertThat(options.downtimeLimit()).isEqualTo(Duration.ofMillis(100));
        assertThat(options.downtimeSteps()).isEqualTo(4);
        assertThat(options.downtimeStepDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(options.dynamicRate()).isTrue();
        assertThat(options.minBandwidth()).isEqualTo(20L << 20);
        assertThat(options.rateStep()).isEqualTo(10L << 20);
        assertThat(options.autoConverge()).isTrue();
        assertThat(options.compression()).isEqualTo(io.cutover.migration.Compression.LZ4);
        assertThat(options.maxRounds()).isEqualTo(12);
        assertThat(options.completionTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(options.completionPolicy()).isEqualTo(io.cutover.migration.CompletionPolicy.POSTCOPY);
        assertThatThrownBy(() -> request(new CutoverRequest.Migrator(GUEST, null, null, 2, null, null, null, null,
                null, null, null, null, null, null, null, null, null, "postcopy", null), null).validated())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("migrator.channels: post-copy runs over one connection: channels must be 1");
        assertThatThrownBy(() -> request(new CutoverRequest.Migrator(GUEST, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, "later", null), null).validated())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("migrator.onTimeout: expected one of abort, pause, postcopy, not 'later'");
    }
}
