package io.cutover.support;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class JavaCommandTest {
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @Test
    void aMainClassRunsOnThisClassPath() {
        assertThat(JavaCommand.mainClass("a.Main").withJvmOptions("-Xmx64m").withArgs("--file", "f").toList())
                .containsExactly(JAVA, "-Xmx64m", "-cp", System.getProperty("java.class.path"), "a.Main", "--file", "f");
    }

    @Test
    void aJarIsNamedByItsAbsolutePath() {
        assertThat(JavaCommand.jar(Path.of("cutover.jar")).withArgs("lab").withArgs("up").toList())
                .containsExactly(JAVA, "-jar", Path.of("cutover.jar").toAbsolutePath().toString(), "lab", "up");
    }

    @Test
    void thisProgramOnAClassPathOfManyEntriesIsItsMainClass() {
        assertThat(JavaCommand.thisProgram("a.Main").toList())
                .isEqualTo(JavaCommand.mainClass("a.Main").toList());
    }

    @Test
    void withMethodsLeaveTheOriginalAlone() {
        JavaCommand base = JavaCommand.mainClass("a.Main");
        base.withArgs("x");
        base.withJvmOptions("-ea");

        assertThat(base.toList()).endsWith("a.Main");
    }

    @Test
    void theChildRunsThisJvmsJava() throws Exception {
        Process child = new ProcessBuilder(JavaCommand.mainClass("nothing").withJvmOptions("-version").toList())
                .redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes());

        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).isZero();
        assertThat(out).contains(System.getProperty("java.version"));
    }
}
