package io.migaudit.agent.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migaudit.testsupport.CiGate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spool directory is the agent's own: created private, and refused when someone else controls
 * it.
 */
class SpoolDirectoryTest {
  @TempDir Path tmp;

  @Test
  void createsTheDirectory0700AndItsFiles0600() throws IOException {
    Path dir = tmp.resolve("state/migaudit/spool");
    try (Spool spool = Spool.open(dir, 1 << 20)) {
      spool.append(new byte[] {1, 2, 3});
      spool.sync();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
          .isEqualTo("rwx------");
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) {
          assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
              .as(f.toString())
              .isEqualTo("rw-------");
        }
      }
    }
  }

  @Test
  void refusesADirectoryAnotherUserCreated() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("planted"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    UserPrincipal nobody =
        tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    try {
      Files.setOwner(dir, nobody); // what a local user who made the directory first would have
    } catch (IOException e) {
      throw CiGate.unavailable("chown to nobody needs root (CI runs as root): " + e);
    }
    assertThatThrownBy(() -> Spool.open(dir, 1 << 20))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("owned by nobody")
        .hasMessageContaining("refusing");
    assertThat(dir.resolve(SpoolDirectory.LOCK_FILE)).doesNotExist();
  }

  @Test
  void refusesADirectoryOthersMayWrite() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("shared"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertThatThrownBy(() -> Spool.open(dir, 1 << 20))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("writable by group or others");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwx---"));
    assertThatThrownBy(() -> Spool.open(dir, 1 << 20))
        .hasMessageContaining("writable by group or others");
  }

  @Test
  void refusesALinkInPlaceOfTheDirectory() throws IOException {
    Path real = Files.createDirectory(tmp.resolve("real"));
    Path link = Files.createSymbolicLink(tmp.resolve("spool"), real);
    assertThatThrownBy(() -> Spool.open(link, 1 << 20))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("symbolic link");
  }

  @Test
  void neverFollowsALinkWhereItsFilesGo() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("spool"));
    Path victim = Files.writeString(tmp.resolve("victim"), "precious");
    Files.createSymbolicLink(dir.resolve(SpoolDirectory.HEAD_FILE), victim);
    assertThatThrownBy(() -> Spool.open(dir, 1 << 20)).isInstanceOf(IOException.class);
    assertThat(Files.readString(victim)).isEqualTo("precious");

    Files.delete(dir.resolve(SpoolDirectory.HEAD_FILE));
    Files.createSymbolicLink(dir.resolve(SpoolSegment.pathOf(dir, 0).getFileName()), victim);
    try (Spool spool = Spool.open(dir, 1 << 20)) { // the linked "segment" is logged and left alone
      assertThat(spool.pending()).isZero();
    }
    assertThat(Files.readString(victim)).isEqualTo("precious");
    assertThat(Files.isSymbolicLink(SpoolSegment.pathOf(dir, 0))).isTrue();
    assertThat(Files.exists(dir.resolve(SpoolDirectory.LOCK_FILE), LinkOption.NOFOLLOW_LINKS))
        .isTrue();
  }
}
