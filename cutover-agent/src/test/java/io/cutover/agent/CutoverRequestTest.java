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
        return new CutoverRequest.Migrator(GUEST, null, null, channels, xbzrleCache, null, null);
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
        CutoverRequest.Migrator settings = request(new CutoverRequest.Migrator(GUEST, null, null, null, null, "2.5s",
                null), null).validated().migrator();
        assertThat(BuiltInMigrator.options(settings).progressTimeout()).isEqualTo(Duration.ofMillis(2500));
        for (String bad : List.of("0s", "0", "-5s", "5", "soon")) {
            assertThatThrownBy(() -> request(new CutoverRequest.Migrator(GUEST, null, null, null, null, bad, null),
                    null).validated()).as(bad)
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
                    .hasMessage("migrator.channels: expected 1 to " + MigrationOptions.MAX_CHANNELS + " connections");
        }
    }

    @Test
    void aBadXbzrleCacheIsNamedInTheError() {
        for (String bad : List.of("lots", "0", "-64m", "")) {
            assertThatThrownBy(() -> request(migrator(null, bad), null).validated()).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("migrator.xbzrleCache: ");
        }
    }
}
