package io.cutover.lab;

import io.cutover.support.TlsFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority for the lab's daemons and the tests, made in a directory with the {@code openssl} command
 * as an operator makes one: P-256 keys (PKCS#8), certificates valid for two days, each naming the addresses its
 * holder is called at (IP SANs) and good for both ends of a connection.
 */
public final class LabPki {
    private final Path dir;
    private final String name;

    private LabPki(Path dir, String name) {
        this.dir = dir;
        this.name = name;
    }

    /**
     * Makes a CA called {@code name} in {@code dir} (created if missing).
     *
     * @throws LabException when {@code openssl} fails
     */
    public static LabPki authority(Path dir, String name) {
        LabPki pki = new LabPki(dir, name);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new LabException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        pki.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-days", "2", "-subj", "/CN=" + name, "-keyout", name + ".key", "-out", name + ".pem");
        return pki;
    }

    /** The CA's certificate, which its holders trust in their peers. */
    public Path ca() {
        return dir.resolve(name + ".pem");
    }

    /**
     * A certificate for {@code subject} that this CA signed, valid for {@code 127.0.0.1}, {@code localhost} and
     * {@code addresses}, with its key, trusting this CA in peers.
     *
     * @throws LabException when {@code openssl} fails
     */
    public TlsFiles issue(String subject, boolean requireClientCertificate, String... addresses) {
        StringBuilder names = new StringBuilder("IP:127.0.0.1,DNS:localhost");
        for (String address : addresses) {
            names.append(",IP:").append(address);
        }
        try {
            Files.writeString(dir.resolve(subject + ".ext"), "subjectAltName=" + names
                    + "\nextendedKeyUsage=serverAuth,clientAuth\n");
        } catch (IOException e) {
            throw new LabException("cannot write " + subject + ".ext: " + e.getMessage(), e);
        }
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj",
                "/CN=" + subject, "-keyout", subject + ".key", "-out", subject + ".csr");
        openssl("x509", "-req", "-in", subject + ".csr", "-CA", name + ".pem", "-CAkey", name + ".key",
                "-CAcreateserial", "-days", "2", "-out", subject + ".pem", "-extfile", subject + ".ext");
        return new TlsFiles(dir.resolve(subject + ".pem"), dir.resolve(subject + ".key"), ca(),
                requireClientCertificate);
    }

    private void openssl(String... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new LabException(String.join(" ", command) + " failed: " + output.strip());
            }
        } catch (IOException e) {
            throw new LabException("cannot run openssl (apt-get install openssl): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while running openssl", e);
        }
    }
}
