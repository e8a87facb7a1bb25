package io.cutover.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A file whose content is only ever replaced whole, durably: the new content is written to a temporary file in the
 * same directory, forced to disk, renamed over the file, and the directory is forced to disk too (as etcd's WAL and
 * SQLite do). A reader, or whatever is left after a crash or a {@code kill -9}, sees the old content or the new,
 * never a mix; once {@link #replace} returns, the new content survives a power cut.
 */
public final class AtomicFile {

    /** Writes a file's new content; if it throws, the file keeps its old content. */
    @FunctionalInterface
    public interface Content {
        /** Writes the whole content to {@code out} (closing {@code out} is allowed and changes nothing). */
        void writeTo(OutputStream out) throws IOException;
    }

    private final Path file;

    /** The file at {@code file}, whose directory must exist when it is replaced. */
    public AtomicFile(Path file) {
        this.file = file.toAbsolutePath();
    }

    public Path path() {
        return file;
    }

    /** The file's content; none (an empty array) when there is no file. */
    public byte[] read() throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new byte[0];
        }
    }

    /**
     * Replaces the file's content with what {@code content} writes. When {@code content} throws, or the temporary
     * file cannot be written, synced or renamed, the file keeps its old content and no temporary file is left.
     *
     * @throws IOException from {@code content}, or naming what the file system refused; after a failure to sync
     *                     the directory, the new content is in place but may not survive a power cut
     */
    public void replace(Content content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        content.writeTo(bytes);
        Path tmp = file.resolveSibling("." + file.getFileName() + "."
                + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes.toByteArray());
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException left) {
                e.addSuppressed(left);
            }
            throw e;
        }
        try (FileChannel directory = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            directory.force(true);
        }
    }
}
