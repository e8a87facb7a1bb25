package io.cutover.lab;

import io.cutover.lab.impl.GuestImageBuilder;
import io.cutover.lab.impl.GuestImageCache;
import io.cutover.lab.impl.GuestImageInputs;

import java.nio.file.Path;

/**
 * The kernel and initramfs a lab guest boots: Debian's cloud kernel (downloaded, never installed) and a busybox
 * initramfs with the virtio network drivers, an init that configures {@code eth0} from the kernel command line,
 * and a static UDP/TCP echo server (which can also dirty memory, for migrations).
 *
 * <p>Built once and cached under {@value #DEFAULT_CACHE}, or the directory named by the system property
 * {@value #CACHE_PROPERTY} or the environment variable {@value #CACHE_ENV}, in a subdirectory named after a hash
 * of every input (kernel package version, modules, busybox version, init script, echo source): an input that
 * changes gives a new build, an unchanged one costs a few {@code apt-cache} look-ups. Concurrent builders on one
 * machine take turns.
 *
 * <pre>{@code
 * GuestImage image = GuestImage.build();
 * try (QemuGuest guest = QemuGuest.start(lab, "hostA", image, spec)) { ... }
 * }</pre>
 */
public final class GuestImage {
    /** The cache directory when neither the property nor the environment variable names one. */
    public static final String DEFAULT_CACHE = "/var/cache/cutover/guest";
    /** The system property that names the cache directory. */
    public static final String CACHE_PROPERTY = "cutover.guest.cache";
    /** The environment variable that names the cache directory (the property wins). */
    public static final String CACHE_ENV = "CUTOVER_GUEST_CACHE";

    private final String id;
    private final Path dir;

    private GuestImage(String id, Path dir) {
        this.id = id;
        this.dir = dir;
    }

    /**
     * The image for this machine's inputs, from the {@linkplain #cacheDir() cache}, built first if needed.
     *
     * @throws GuestImageException a program or package is missing (the message names it), or a step failed
     */
    public static GuestImage build() {
        return build(cacheDir());
    }

    /** As {@link #build()}, with the cache in {@code cacheDir}. */
    public static GuestImage build(Path cacheDir) {
        GuestImageInputs inputs = GuestImageInputs.current();
        return new GuestImage(inputs.id(), new GuestImageCache(cacheDir).image(inputs));
    }

    /** The cache directory: the property {@value #CACHE_PROPERTY}, else {@value #CACHE_ENV}, else the default. */
    public static Path cacheDir() {
        String property = System.getProperty(CACHE_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String env = System.getenv(CACHE_ENV);
        return Path.of(env != null && !env.isBlank() ? env : DEFAULT_CACHE);
    }

    /** The hash of the inputs that names this image in the cache: 16 hex digits. */
    public String id() {
        return id;
    }

    /** The image's directory; its {@code inputs.txt} says what it was made from. */
    public Path dir() {
        return dir;
    }

    public Path kernel() {
        return dir.resolve(GuestImageBuilder.KERNEL);
    }

    public Path initramfs() {
        return dir.resolve(GuestImageBuilder.INITRAMFS);
    }

    @Override
    public String toString() {
        return "guest image " + id + " (" + dir + ")";
    }
}
