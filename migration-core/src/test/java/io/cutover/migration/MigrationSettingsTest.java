package io.cutover.migration;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class MigrationSettingsTest {
    private static MigrationOptions read(Map<String, String> settings) {
        return MigrationSettings.read(settings, MigrationSettings::flag).build();
    }

    @Test
    void everySettingIsRead() {
        MigrationOptions o = MigrationSettings.read(Map.ofEntries(Map.entry("downtime", "100ms"),
                Map.entry("downtimeSteps", "4"), Map.entry("downtimeStepDelay", "3s"),
                Map.entry("maxBandwidth", "1g"), Map.entry("dynamicRate", "true"), Map.entry("rateMin", "20m"),
                Map.entry("rateStep", "0"), Map.entry("autoConverge", "true"), Map.entry("compress", "lz4"),
                Map.entry("integrity", "FULL_MEMORY"), Map.entry("xbzrleCache", "64m"), Map.entry("postCopy", "false"),
                Map.entry("maxRounds", "7"), Map.entry("timeout", "2m"), Map.entry("onTimeout", "postcopy"),
                Map.entry("progressTimeout", "5s"), Map.entry("channels", "1")), name -> name).build();
        assertThat(o.downtimeLimit()).isEqualTo(Duration.ofMillis(100));
        assertThat(o.downtimeSteps()).isEqualTo(4);
        assertThat(o.downtimeStepDelay()).isEqualTo(Duration.ofSeconds(3));
        assertThat(o.maxBandwidth()).isEqualTo(1L << 30);
        assertThat(o.dynamicRate()).isTrue();
        assertThat(o.minBandwidth()).isEqualTo(20L << 20);
        assertThat(o.rateStep()).isZero();
        assertThat(o.autoConverge()).isTrue();
        assertThat(o.compression()).isEqualTo(Compression.LZ4);
        assertThat(o.integrity()).isEqualTo(IntegrityCheck.FULL_MEMORY);
        assertThat(o.xbzrleCacheBytes()).isEqualTo(64L << 20);
        assertThat(o.postCopy()).isFalse();
        assertThat(o.maxRounds()).isEqualTo(7);
        assertThat(o.completionTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(o.completionPolicy()).isEqualTo(CompletionPolicy.POSTCOPY);
        assertThat(o.progressTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(MigrationSettings.NAMES).hasSize(17);
    }

    @Test
    void aDynamicRateThatWouldStartAboveTheCapIsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> MigrationSettings.read(Map.of("dynamicRate", "true",
                        "rateMin", "2g", "maxBandwidth", "1g"), name -> name).build())
                .withMessageContaining("rate-min 2147483648 bytes/s is more than max-bandwidth 1073741824 bytes/s");
        assertThat(MigrationSettings.read(Map.of("rateMin", "2g", "maxBandwidth", "1g"), name -> name).build()
                .maxBandwidth()).as("without the dynamic rate its minimum means nothing").isEqualTo(1L << 30);
    }

    @Test
    void leftOutSettingsKeepTheirDefaults() {
        assertThat(read(Map.of())).usingRecursiveComparison().isEqualTo(MigrationOptions.defaults());
    }

    @Test
    void anErrorNamesTheSettingAsTheCallerSpellsIt() {
        assertThatIllegalArgumentException().isThrownBy(() -> read(Map.of("channels", "99")))
                .withMessageStartingWith("--channels: channels must be 1 to 16");
        assertThatIllegalArgumentException().isThrownBy(() -> MigrationSettings.read(Map.of("onTimeout", "later"),
                        name -> "migrator." + name))
                .withMessage("migrator.onTimeout: expected one of abort, pause, postcopy, not 'later'");
        assertThatIllegalArgumentException().isThrownBy(() -> read(Map.of("maxBandwidth", "fast")))
                .withMessageStartingWith("--max-bandwidth: expected bytes above zero");
        assertThatIllegalArgumentException().isThrownBy(() -> read(Map.of("timeout", "5")))
                .withMessageStartingWith("--timeout: bad duration '5'");
        assertThatIllegalArgumentException().isThrownBy(() -> read(Map.of("autoConverge", "yes")))
                .withMessage("--auto-converge: expected true or false, not 'yes'");
        assertThatIllegalArgumentException().isThrownBy(() -> read(Map.of("maxBandwith", "1g")))
                .withMessage("--max-bandwith: no such migration setting");
    }

    @Test
    void aRuleBetweenTwoSettingsIsReportedOnTheLaterOne() {
        assertThatIllegalArgumentException().isThrownBy(() -> read(Map.of("onTimeout", "postcopy", "channels", "4")))
                .withMessage("--channels: post-copy runs over one connection: channels must be 1");
        assertThatIllegalArgumentException().isThrownBy(() -> read(Map.of("postCopy", "true", "channels", "2")))
                .withMessage("--channels: post-copy runs over one connection: channels must be 1");
    }

    @Test
    void aFlagIsTheNameInKebabCase() {
        assertThat(MigrationSettings.flag("downtimeStepDelay")).isEqualTo("--downtime-step-delay");
        assertThat(MigrationSettings.flag("timeout")).isEqualTo("--timeout");
        assertThat(MigrationSettings.flag("xbzrleCache")).isEqualTo("--xbzrle-cache");
    }
}
