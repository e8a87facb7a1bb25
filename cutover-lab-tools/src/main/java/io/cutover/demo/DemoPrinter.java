package io.cutover.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.cutover.agent.plan.TimelineEntry;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Prints the demo's cutover report as a table and a text timeline, and saves it as JSON. */
public final class DemoPrinter {
    private DemoPrinter() {
    }

    public static void print(DemoReport report, PrintStream out) {
        UdpProbeResult udp = report.udp();
        out.println();
        out.println("cutover report (" + report.mode() + ", " + report.guest() + ")");
        row(out, "blackout (guest paused -> resumed)", String.format(Locale.ROOT, "%.1f ms", report.blackoutMillis()));
        row(out, "network gap at the client", String.format(Locale.ROOT, "%.1f ms", report.gapMillis()));
        row(out, "probes sent / answered", udp.sent() + " / " + udp.answered());
        row(out, "probes that reached the VM", report.vmReceived() == null ? "not counted by this guest"
                : String.valueOf(report.vmReceived()));
        row(out, "dropped by the switches' tables", String.valueOf(report.switchDrops()));
        if (report.guestDropped() != null) {
            row(out, "dropped at the guest's tap, unread", String.valueOf(report.guestDropped()));
        }
        if (report.guestCrashed()) {
            row(out, "the guest", "CRASHED after the move (its kernel's last words are in the timeline)");
        }
        row(out, "probes lost", udp.lost() + (udp.lostRanges().isEmpty() ? "" : " " + udp.lostRanges()));
        row(out, "  of them sent during the cutover", String.valueOf(report.lostInCutover()));
        row(out, "probes delayed (> 20 ms)", String.valueOf(udp.delayed()));
        row(out, "slowest probe", String.format(Locale.ROOT, "%.1f ms", udp.maxRttMillis()));
        row(out, "longest silence, whole run", String.format(Locale.ROOT, "%.1f ms", udp.gapMillis()));
        row(out, "TCP connection survived", (report.tcpSurvived() ? "yes" : "NO") + " (" + report.tcpExchanged()
                + " messages)");
        row(out, "memory identical at destination", report.memoryVerified() == null ? "moved by the hypervisor"
                : report.memoryVerified() ? "yes (digest verified)" : "NO");
        row(out, "tunnel (source -> destination)", String.format(Locale.ROOT,
                "caught %d, held %d, sent %d -> received %d, injected %d", report.tunnel().getOrDefault("source.caught", 0L),
                report.tunnel().getOrDefault("source.held", 0L), report.tunnel().getOrDefault("source.sent", 0L),
                report.tunnel().getOrDefault("destination.received", 0L),
                report.tunnel().getOrDefault("destination.injected", 0L)));
        report.tunnel().forEach((name, value) -> {
            if (name.contains(".drop.")) {
                row(out, "  dropped: " + name, String.valueOf(value));
            }
        });
        if (!report.dnsAnswer().isEmpty()) {
            row(out, "DNS name now points to", report.dnsAnswer());
        }
        out.println();
        out.println("timeline");
        for (TimelineEntry entry : report.timeline()) {
            out.printf(Locale.ROOT, "  %10.3f ms  %-14s %s%s%n", entry.atMicros() / 1000.0, entry.what(), entry.event(),
                    entry.detail().isEmpty() ? "" : "  " + entry.detail());
        }
    }

    /** Writes the report to {@code file} (creating its directory) and returns the file. */
    public static Path save(DemoReport report, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), report);
        return file;
    }

    private static void row(PrintStream out, String what, String value) {
        out.printf("  %-34s %s%n", what, value);
    }
}
