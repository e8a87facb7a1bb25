package io.cutover.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoreCredentialTest {
    private static final String PASSWORD = "0123456789abcdef0123";

    @TempDir
    Path dir;

    @Test
    void readsUserAndPasswordFromAnOwnerOnlyFile() throws Exception {
        Path file = secret("cutover:" + PASSWORD + "\n", "rw-------");
        StoreCredential credential = StoreCredential.read(file);
        assertThat(credential.user()).isEqualTo("cutover");
        assertThat(credential.password()).isEqualTo(PASSWORD);
        assertThat(credential.origin()).isEqualTo(file.toString());
        assertThat(credential.toString()).doesNotContain(PASSWORD);
    }

    @Test
    void aPasswordMayHoldColons() throws Exception {
        assertThat(StoreCredential.read(secret("cutover:" + PASSWORD + ":x", "r--------")).password())
                .isEqualTo(PASSWORD + ":x");
    }

    @Test
    void refusesAFileItsGroupOrOthersMayRead() throws Exception {
        Path file = secret("cutover:" + PASSWORD, "rw-r-----");
        assertThatThrownBy(() -> StoreCredential.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("chmod 600");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw----r--"));
        assertThatThrownBy(() -> StoreCredential.read(file)).hasMessageContaining("group or others");
    }

    @Test
    void refusesAMissingFileNamingIt() {
        Path file = dir.resolve("absent.auth");
        assertThatThrownBy(() -> StoreCredential.read(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("cannot read");
    }

    @Test
    void refusesWhatIsNotOneLineUserColonPassword() throws Exception {
        for (String text : new String[]{"", PASSWORD, ":" + PASSWORD, "cutover:short", "cutover:" + PASSWORD
                + "\nsecond:" + PASSWORD, "cutover: " + PASSWORD, "cut over :" + PASSWORD}) {
            Path file = secret(text, "rw-------");
            assertThatThrownBy(() -> StoreCredential.read(file)).as(text).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(file.toString());
            Files.delete(file);
        }
    }

    @Test
    void createWritesARandomCredentialItsOwnerAloneMayRead() throws Exception {
        Path file = dir.resolve("store.auth");
        StoreCredential made = StoreCredential.create(file, "cutover");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(StoreCredential.read(file)).isEqualTo(made);
        assertThat(made.password()).hasSize(64).isNotEqualTo(StoreCredential.create(dir.resolve("other"), "cutover")
                .password());
    }

    private Path secret(String text, String mode) throws Exception {
        Path file = dir.resolve("store.auth");
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }
}
