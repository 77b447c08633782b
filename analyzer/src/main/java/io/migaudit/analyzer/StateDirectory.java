package io.migaudit.analyzer;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The analyzer's local state directory (Kafka Streams keeps locks and checkpoints there): created
 * if missing and made private to the analyzer's user, because another user who can write there
 * could hold the analyzer's lock or corrupt its checkpoints.
 */
final class StateDirectory {
  private StateDirectory() {}

  static void prepare(Path dir) throws IOException {
    Files.createDirectories(dir);
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
  }
}
