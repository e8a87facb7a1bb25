package io.cutover.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.cutover.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

class CutoverCommandTest {

    @ParameterizedTest
    @ValueSource(strings = {"migrate", "announce", "tunnel", "dns", "sdn", "agent", "lab", "demo", "bench"})
    void everySubcommandHasHelp(String name) {
        Cli.Run run = run(name, "--help");
        assertThat(run.code()).isZero();
        assertThat(run.out()).startsWith("Usage: cutover " + name);
    }

    @Test
    void versionIsPrinted() {
        Cli.Run run = run("--version");
        assertThat(run.code()).isZero();
        assertThat(run.out()).startsWith("cutover ");
    }

    @Test
    void unknownCommandsAndOptionsAreUsageErrors() {
        assertThat(run("no-such-command").code()).isEqualTo(ExitCode.USAGE);
        assertThat(run("lab", "up", "--no-such-option").code()).isEqualTo(ExitCode.USAGE);
        assertThat(run().code()).isEqualTo(ExitCode.USAGE);
        assertThat(run("lab").code()).isEqualTo(ExitCode.USAGE);
        assertThat(run("agent").err()).as("running the agent needs its configuration")
                .startsWith("cutover: Missing required option: '--config=<config>'");
    }

    @Test
    void anUnknownOptionIsOneLineAndAPointerToHelpNotTheWholeUsage() {
        Cli.Run run = run("tunnel", "list", "--jsn");
        assertThat(run.code()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).startsWith("cutover: Unknown option: '--jsn'\n").contains("--json")
                .endsWith("Try 'cutover tunnel list --help' for its usage.\n").doesNotContain("Usage:");
        assertThat(run("lab", "status", "--name").err()).as("a missing value")
                .startsWith("cutover: Missing required parameter for option '--name'")
                .endsWith("Try 'cutover lab status --help' for its usage.\n");
    }

    @Test
    void badInputIsAUsageErrorWithAOneLineReason() {
        Cli.Run run = run("lab", "up", "--topology", "moon");
        assertThat(run.code()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).isEqualTo("cutover: unknown topology 'moon' (expected lan or wan)\n");
    }

    @Test
    void anAddressMustBeALiteralAndIsNeverLookedUp() {
        for (String bad : new String[] {"1.2.3.999", "localhost", "3232235777"}) {
            Cli.Run announce = run("announce", "--iface", "eth0", "--mac", "02:00:00:00:00:01", "--ip", bad);
            assertThat(announce.code()).as(bad).isEqualTo(ExitCode.USAGE);
            assertThat(announce.err()).isEqualTo("cutover: bad --ip address '" + bad
                    + "': expected an IPv4 or IPv6 literal\n");
        }
    }

    @Test
    void aLogFormatIsTextOrJsonInAnyCaseAndAnythingElseIsAUsageError() {
        Cli.Run run = run("--log-format", "loud", "lab", "status");
        assertThat(run.code()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).startsWith("cutover: Invalid value for option '--log-format'").contains("TEXT, JSON")
                .endsWith("--help' for its usage.\n");
        assertThat(run("--log-format", "Json", "tunnel", "serve", "--help").code()).isZero();
        assertThat(run("tunnel", "serve", "--log-format=text", "--help").code()).as("after the command too").isZero();
    }

    @Test
    void aTunnelMoveIsSealedUnlessPlainIsAskedFor() {
        String[] move = {"tunnel", "add", "--id", "m1", "--vni", "100", "--role", "source", "--vm-mac", "02:00:c6:12:00:64",
                "--vm-address", "198.18.0.100", "--peer", "198.19.0.2", "--iface", "eth0", "--api", "http://127.0.0.1:9"};
        Cli.Run keyless = run(move);
        assertThat(keyless.code()).isEqualTo(ExitCode.USAGE);
        assertThat(keyless.err()).startsWith("cutover: a move is sealed: give --key-file, or --insecure-plain for plain "
                + "VXLAN (a kernel VXLAN peer)\n");
        String[] both = java.util.stream.Stream.concat(java.util.Arrays.stream(move),
                java.util.stream.Stream.of("--insecure-plain", "--key-file", "/nonexistent.key")).toArray(String[]::new);
        assertThat(run(both).err()).startsWith("cutover: --key-file or --insecure-plain, not both\n");
    }

    @Test
    void anAgentWhoseDnsKeyFileIsMissingExitsTwoNamingTheFileAndKey(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path config = java.nio.file.Files.writeString(dir.resolve("host.yaml"), """
                host: hostA
                token: 0123456789abcdef
                memory-mib: 64
                dns: {server: '127.0.0.1:53', key-file: nowhere.key, queue-dir: q}
                """);
        Cli.Run run = run("agent", "--config", config.toString());
        assertThat(run.code()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).isEqualTo("cutover: " + config + ": dns.key-file: cannot read " + dir.resolve("nowhere.key")
                + "\n");
    }

    @Test
    void aMoveToABridgeNameIsAUsageErrorThatAsksForADatapathId() {
        Cli.Run run = run("sdn", "move", "prepare", "vm1", "br-int", "vm1", "--rest", "127.0.0.1:1");
        assertThat(run.code()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).startsWith("cutover: 'br-int' is not a datapath id");
    }

    @Test
    void migrateStateRewritesAJournalOfBridgeNamesIntoDatapathIds(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path journal = java.nio.file.Files.writeString(dir.resolve("state.json"), """
                {"endpoints": {"vm1": {"endpoint": {"id": 5, "name": "vm1", "network": 1, "mac": "02:00:c6:12:00:64",
                  "addresses": [], "switchName": "br-a", "port": "vm1"}, "generation": 0}},
                 "links": [{"switchA": "br-tor", "portA": "tor-to-a", "switchB": "br-a", "portB": "a-to-tor"}],
                 "moves": {}, "nextMoveId": 1}""");
        Cli.Run missing = run("sdn", "migrate-state", "--state", dir.toString(), "--switch", "br-a=00000000000000a0");
        assertThat(missing.code()).isEqualTo(ExitCode.USAGE);
        assertThat(missing.err()).contains("br-tor");

        Cli.Run run = run("sdn", "migrate-state", "--state", dir.toString(), "--switch", "br-a=00000000000000a0",
                "--switch", "br-tor=0xf0");
        assertThat(run.code()).as(run.err()).isEqualTo(ExitCode.OK);
        assertThat(java.nio.file.Files.readString(journal)).contains("\"switch\" : \"00000000000000a0\"")
                .contains("\"switchA\" : \"00000000000000f0\"").doesNotContain("br-");
        assertThat(dir.resolve("state.json.by-name")).exists();
    }
}
