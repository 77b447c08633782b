package io.migaudit.agent.publish;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A {@link Spool}'s directory: the {@code lock} file that keeps a second agent out, the {@code
 * head} file that remembers the read position (segment id and byte offset) across restarts, and the
 * list of segment files.
 *
 * <p><b>Private.</b> The agent may run as root, and what it reads from the spool it publishes under
 * its own Kafka identity: the directory must be its own. It is created 0700 (files 0600); an
 * existing one is refused when it is a symbolic link, is owned by another user, or is writable by
 * group or others. Files in it are opened without following links.
 */
final class SpoolDirectory implements AutoCloseable {
  static final String LOCK_FILE = "lock";
  static final String HEAD_FILE = "head";
  private static final int HEAD_BYTES = 16;
  static final FileAttribute<Set<PosixFilePermission>> PRIVATE_DIRECTORY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
  static final FileAttribute<Set<PosixFilePermission>> PRIVATE_FILE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  /** Never follow a link planted where a spool file should be. */
  static final OpenOption NO_FOLLOW = LinkOption.NOFOLLOW_LINKS;

  final Path path;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final FileChannel headChannel;

  private SpoolDirectory(
      Path path, FileChannel lockChannel, FileLock lock, FileChannel headChannel) {
    this.path = path;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.headChannel = headChannel;
  }

  /**
   * Creates the directory if needed and locks it.
   *
   * @throws IOException if it cannot be used, or another process (or this one) has it open
   */
  static SpoolDirectory open(Path path) throws IOException {
    boolean posix = path.getFileSystem().supportedFileAttributeViews().contains("posix");
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      if (posix) {
        Files.createDirectories(path, PRIVATE_DIRECTORY);
      } else {
        Files.createDirectories(path);
      }
    }
    if (posix) {
      requirePrivate(path);
    }
    FileChannel lockChannel =
        FileChannel.open(
            path.resolve(LOCK_FILE),
            openOptions(posix, StandardOpenOption.CREATE, StandardOpenOption.WRITE),
            fileAttributes(posix));
    try {
      FileLock lock;
      try {
        lock = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // this JVM holds it already
      }
      if (lock == null) {
        throw new IOException(path + ": spool directory in use by another migaudit agent");
      }
      FileChannel head =
          FileChannel.open(
              path.resolve(HEAD_FILE),
              openOptions(
                  posix,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.READ,
                  StandardOpenOption.WRITE),
              fileAttributes(posix));
      return new SpoolDirectory(path, lockChannel, lock, head);
    } catch (IOException | RuntimeException e) {
      lockChannel.close();
      throw e;
    }
  }

  /**
   * Refuses a directory the agent does not own alone: a link, another user's, or one that group or
   * others may write to (they could plant segments, or links where the lock and head files go).
   */
  static void requirePrivate(Path path) throws IOException {
    PosixFileAttributes attrs =
        Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
            .readAttributes();
    if (!attrs.isDirectory()) {
      throw new IOException(
          path + ": not a directory" + (attrs.isSymbolicLink() ? " (a symbolic link)" : ""));
    }
    UserPrincipal me =
        path.getFileSystem()
            .getUserPrincipalLookupService()
            .lookupPrincipalByName(System.getProperty("user.name"));
    if (!attrs.owner().equals(me)) {
      throw new IOException(
          path
              + ": owned by "
              + attrs.owner().getName()
              + ", not by "
              + me.getName()
              + " who runs the agent; refusing a spool directory someone else controls");
    }
    Set<PosixFilePermission> perms = attrs.permissions();
    if (perms.contains(PosixFilePermission.GROUP_WRITE)
        || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
      throw new IOException(
          path
              + ": writable by group or others ("
              + PosixFilePermissions.toString(perms)
              + "); chmod 700 it, or let the agent create its own");
    }
  }

  /** {@code options}, plus {@link #NO_FOLLOW} where links exist. */
  static Set<OpenOption> openOptions(boolean posix, OpenOption... options) {
    Set<OpenOption> set = new HashSet<>(List.of(options));
    if (posix) {
      set.add(NO_FOLLOW);
    }
    return set;
  }

  static FileAttribute<?>[] fileAttributes(boolean posix) {
    return posix ? new FileAttribute<?>[] {PRIVATE_FILE} : new FileAttribute<?>[0];
  }

  /** The segment files, oldest first. */
  List<Path> segments() throws IOException {
    try (Stream<Path> list = Files.list(path)) {
      return list.filter(p -> p.getFileName().toString().matches("\\d{20}\\" + SpoolSegment.SUFFIX))
          .sorted()
          .toList();
    }
  }

  static long idOf(Path segment) {
    return Long.parseLong(segment.getFileName().toString().substring(0, 20));
  }

  /**
   * Remembers the read position; written on every acknowledgement, not fsynced (a crash resends a
   * batch).
   */
  void saveHead(long segmentId, long offset) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(HEAD_BYTES);
    buf.putLong(segmentId).putLong(offset).flip();
    headChannel.write(buf, 0);
  }

  /** The saved read position in segment {@code segmentId}, or -1 if none was saved for it. */
  long headOffset(long segmentId) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(HEAD_BYTES);
    headChannel.read(buf, 0);
    return buf.position() < HEAD_BYTES || buf.getLong(0) != segmentId ? -1 : buf.getLong(8);
  }

  @Override
  public void close() throws IOException {
    try {
      headChannel.close();
      if (lock.isValid()) {
        lock.release();
      }
    } finally {
      lockChannel.close();
    }
  }
}
