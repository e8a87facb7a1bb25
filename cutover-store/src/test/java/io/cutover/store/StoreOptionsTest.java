package io.cutover.store;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoreOptionsTest {

    @Test
    void defaultsAreTheDocumentedConstants() {
        StoreOptions options = StoreOptions.of("198.19.3.2:2181");
        assertThat(options.sessionTimeout()).isEqualTo(Duration.ofMillis(StoreOptions.DEFAULT_SESSION_TIMEOUT_MS));
        assertThat(options.operationTimeout()).isEqualTo(Duration.ofMillis(StoreOptions.DEFAULT_OPERATION_TIMEOUT_MS));
        assertThat(options.root()).isEqualTo(StoreOptions.DEFAULT_ROOT);
    }

    @Test
    void refusesWhatCannotWork() {
        assertThatThrownBy(() -> StoreOptions.of(" ")).hasMessageContaining("connect string is empty");
        assertThatThrownBy(() -> StoreOptions.of("h:1").withOperationTimeout(Duration.ZERO))
                .hasMessageContaining("must be positive");
        assertThatThrownBy(() -> StoreOptions.of("h:1").withRoot("/cutover")).hasMessageContaining("relative");
    }
}
