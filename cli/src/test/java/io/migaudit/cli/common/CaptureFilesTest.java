package io.migaudit.cli.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptureFilesTest {
  private static final Path CAPTURE = Path.of("../samples/qemu-loopback/capture.pcap");
  private static final Path PCAPNG = Path.of("../samples/vmotion-encrypted-clean/capture.pcapng");

  @TempDir Path dir;

  @Test
  void aDirectoryGivesTheFilesNamedOrStartingAsCaptures() throws Exception {
    Files.copy(CAPTURE, dir.resolve("a.pcap"));
    Files.copy(CAPTURE, dir.resolve("dump1")); // tcpdump -C's rotation: no suffix
    Files.copy(PCAPNG, dir.resolve("vmotion.trace"));
    gzip(Files.readAllBytes(CAPTURE), dir.resolve("migration.dump.gz"));
    Files.writeString(dir.resolve("policy.yaml"), "encryption: required\n");
    Files.writeString(dir.resolve("notes"), "tcpdump -C 100 -w dump\n");
    gzip("not a capture\n".getBytes(StandardCharsets.US_ASCII), dir.resolve("log.gz"));
    Files.write(dir.resolve("empty"), new byte[0]);

    assertThat(CaptureFiles.expand(List.of(dir)))
        .extracting(p -> p.getFileName().toString())
        .containsExactly("a.pcap", "dump1", "migration.dump.gz", "vmotion.trace");
  }

  @Test
  void aDirectoryWithoutCapturesIsAUserError() throws Exception {
    Files.writeString(dir.resolve("policy.yaml"), "encryption: required\n");
    assertThatThrownBy(() -> CaptureFiles.expand(List.of(dir)))
        .isInstanceOf(UserError.class)
        .hasMessageStartingWith("no capture files");
  }

  private static void gzip(byte[] content, Path to) throws IOException {
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(to))) {
      out.write(content);
    }
  }
}
