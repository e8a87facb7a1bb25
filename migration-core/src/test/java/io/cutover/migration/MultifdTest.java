package io.cutover.migration;

import io.cutover.migration.guest.Guests;
import io.cutover.migration.guest.SyntheticGuest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Migrations over several parallel connections (multifd). */
class MultifdTest {

    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void pagesShardedOverSeveralConnectionsArriveByteForByte(int channels) throws Exception {
        try (MigrationFixture dst = new MigrationFixture();
             SyntheticGuest source = MigrationFixture.running("synthetic:size=32m,workload=hotset,hot=5%,rate=50000")) {
            Thread.sleep(50);
            MigrationReport report = LiveMigration.start(source, dst.address(),
                    MigrationFixture.admitted(MigrationOptions.builder()
                            .channels(channels).integrity(IntegrityCheck.FULL_MEMORY).compression(Compression.LZ4).build()),
                    List.of()).result().toCompletableFuture().get(120, TimeUnit.SECONDS);
            IncomingMigration in = dst.next();

            assertThat(report.succeeded()).isTrue();
            assertThat(in.activated()).as(in.failure()).isTrue();
            in.guest().pause();
            assertThat(Guests.firstDifference(source, in.guest())).isEqualTo(-1);
            assertThat(in.digest()).isEqualTo(report.verifiedDigest()).isNotZero();
            assertThat(in.connections()).isEqualTo(channels);
            assertThat(in.pagesReceived()).isGreaterThanOrEqualTo(report.progress().pagesSent());
        }
    }

    @Test
    void postCopyAndOutOfRangeChannelCountsAreBadOptions() {
        assertThatThrownBy(() -> MigrationOptions.builder().channels(2).postCopy(true).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("post-copy runs over one connection");
        assertThatThrownBy(() -> MigrationOptions.builder().channels(0).build())
                .hasMessageContaining("channels must be 1 to 16");
        assertThatThrownBy(() -> MigrationOptions.builder().channels(17).build())
                .hasMessageContaining("channels must be 1 to 16");
        assertThat(MigrationOptions.defaults().channels()).isEqualTo(MigrationOptions.DEFAULT_CHANNELS);
    }
}
