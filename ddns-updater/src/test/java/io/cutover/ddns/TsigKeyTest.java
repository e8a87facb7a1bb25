package io.cutover.ddns;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TsigKeyTest {
    private static final String SECRET = "5aUfoEEVzJ4rGuSY0UHP0BCX+G8BDISekQ7+RifuroWTt68Q06zeSIUI5lLDTtnFEs58NnjKox1rfgSbFN7uhw==";

    @Test
    void readsWhatTsigKeygenWrites() {
        TsigKey key = TsigKey.parse("key \"k1\" {\n\talgorithm hmac-sha512;\n\tsecret \"" + SECRET + "\";\n};\n", "k1.key");
        assertThat(key.name()).isEqualTo("k1");
        assertThat(key.algorithm()).isEqualTo(TsigAlgorithm.HMAC_SHA512);
        assertThat(key.secret()).isEqualTo(Base64.getDecoder().decode(SECRET));
        assertThat(key.toString()).doesNotContain(SECRET.substring(0, 8));
    }

    @Test
    void readsAKeyFileMadeByTheRealTsigKeygenWhenItIsInstalled(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/tsig-keygen")));
        Process p = new ProcessBuilder("/usr/sbin/tsig-keygen", "-a", "hmac-sha256", "real-key").start();
        Path file = dir.resolve("real.key");
        Files.write(file, p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).isZero();
        TsigKey key = TsigKey.read(file);
        assertThat(key.name()).isEqualTo("real-key");
        assertThat(key.algorithm()).isEqualTo(TsigAlgorithm.HMAC_SHA256);
        assertThat(key.secret()).hasSize(32);
    }

    @Test
    void readsWhatKnotsKeymgrPrints() {
        TsigKey key = TsigKey.parse("# hmac-sha256:cutover:" + SECRET + "\nkey:\n  - id: cutover\n"
                + "    algorithm: hmac-sha256\n    secret: " + SECRET + "\n", "knot.key");
        assertThat(key.name()).isEqualTo("cutover");
        assertThat(key.algorithm()).isEqualTo(TsigAlgorithm.HMAC_SHA256);
        assertThat(key.secret()).isEqualTo(Base64.getDecoder().decode(SECRET));
    }

    @Test
    void readsTheFirstKeyOfAKnotConfigurationWithQuotesCommentsAndOtherSections() {
        String text = """
                server:
                    listen: 0.0.0.0@53
                key:
                  - id: "lab-updater"   # the cutover agents'
                    algorithm: 'hmac-sha512'
                    secret: "%s"
                  - id: other
                    algorithm: hmac-sha256
                    secret: c2Vjb25k
                acl:
                  - id: update
                    key: lab-updater
                """.formatted(SECRET);
        TsigKey key = TsigKey.parse(text, "knot.conf");
        assertThat(key.name()).isEqualTo("lab-updater");
        assertThat(key.algorithm()).isEqualTo(TsigAlgorithm.HMAC_SHA512);
        assertThat(key.secret()).isEqualTo(Base64.getDecoder().decode(SECRET));
    }

    @Test
    void aKnotKeyWithoutItsFieldsOrWithAnMd5OneNamesTheFileAndTheProblem() {
        assertThatThrownBy(() -> TsigKey.parse("key:\n  - id: k\n    algorithm: hmac-sha256\n", "k.yaml"))
                .isInstanceOf(KeyFileException.class).hasMessage("k.yaml: key k has no 'secret'");
        assertThatThrownBy(() -> TsigKey.parse("key:\n  - algorithm: hmac-md5\n    id: k\n    secret: " + SECRET,
                "k.yaml")).isInstanceOf(KeyFileException.class).hasMessageContaining("MD5 is broken");
        assertThatThrownBy(() -> TsigKey.parse("key:\n", "k.yaml")).isInstanceOf(KeyFileException.class)
                .hasMessage("k.yaml: no key in the 'key:' section");
        assertThatThrownBy(() -> TsigKey.parse("key:\n  - id: k\n    algorithm: hmac-sha256\n    secret: !!!\n",
                "k.yaml")).isInstanceOf(KeyFileException.class).hasMessageContaining("not base64");
    }

    @Test
    void skipsCommentsAndOtherStatementsAndUnquotedNames() {
        String text = "# made by hand\n// another\noptions { directory \"/x\"; };\n/* a\nblock */ key lab {"
                + " algorithm HMAC-SHA256; secret \"" + SECRET + "\"; };";
        TsigKey key = TsigKey.parse(text, "t");
        assertThat(key.name()).isEqualTo("lab");
        assertThat(key.algorithm()).isEqualTo(TsigAlgorithm.HMAC_SHA256);
    }

    @Test
    void refusesHmacMd5() {
        assertThatThrownBy(() -> TsigKey.parse("key \"old\" { algorithm hmac-md5; secret \"" + SECRET + "\"; };", "old.key"))
                .isInstanceOf(KeyFileException.class)
                .hasMessageContaining("old.key")
                .hasMessageContaining("hmac-md5")
                .hasMessageContaining("refused");
        assertThatThrownBy(() -> TsigAlgorithm.ofBindName("hmac-md5.sig-alg.reg.int"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "key",
            "key \"a\"",
            "key \"a\" {",
            "key \"a\" { algorithm hmac-sha256; };",
            "key \"a\" { secret \"" + SECRET + "\"; };",
            "key \"a\" { algorithm hmac-sha256; secret \"not base64!\"; };",
            "key \"a\" { algorithm hmac-sha256; secret \"\"; };",
            "key \"a\" { algorithm hmac-whirlpool; secret \"" + SECRET + "\"; };",
            "key \"a\" { algorithm hmac-sha256; secret \"" + SECRET + "\" };",
            "key \"a\" { algorithm hmac-sha256 secret \"" + SECRET + "\"; };",
            "key \"a { algorithm hmac-sha256; };",
            "/* never closed key \"a\" {",
            "key { algorithm hmac-sha256; secret \"" + SECRET + "\"; };",
    })
    void malformedFilesGiveAKeyFileErrorNamingTheFile(String text) {
        assertThatThrownBy(() -> TsigKey.parse(text, "bad.key"))
                .isInstanceOf(KeyFileException.class)
                .hasMessageStartingWith("bad.key: ");
    }

    @Test
    void randomBytesNeverCrashTheParser() {
        Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            byte[] bytes = new byte[random.nextInt(200)];
            random.nextBytes(bytes);
            String knot = "key:\n  - id: k\n    algorithm: hmac-sha256\n    secret: " + SECRET + "\n";
            String text = switch (random.nextInt(3)) {
                case 0 -> new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
                case 1 -> ("key \"k\" { algorithm hmac-sha256; secret \"" + SECRET + "\"; };").substring(0, random.nextInt(60));
                default -> knot.substring(0, random.nextInt(knot.length()));
            };
            try {
                TsigKey.parse(text, "fuzz");
            } catch (KeyFileException expected) {
                assertThat(expected.getMessage()).startsWith("fuzz: ");
            }
        }
    }

    @Test
    void aMissingFileIsAKeyFileError(@org.junit.jupiter.api.io.TempDir Path dir) {
        assertThatThrownBy(() -> TsigKey.read(dir.resolve("absent.key")))
                .isInstanceOf(KeyFileException.class).hasMessageContaining("absent.key");
    }
}
