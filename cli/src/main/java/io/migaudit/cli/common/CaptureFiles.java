package io.migaudit.cli.common;

import io.migaudit.agent.source.PcapFileSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Expands the paths a user gave into the capture files to read, in a stable order. */
public final class CaptureFiles {
  private static final List<String> SUFFIXES =
      List.of(".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz", ".cap.gz");

  private CaptureFiles() {}

  /**
   * Files as given, and every capture file below given directories (sorted by path): named as one
   * or starting as one ({@link #looksLikeCapture}).
   */
  public static List<Path> expand(List<Path> given) throws UserError {
    List<Path> files = new ArrayList<>();
    for (Path p : given) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> walk = Files.walk(p)) {
          walk.filter(Files::isRegularFile)
              .filter(CaptureFiles::looksLikeCapture)
              .sorted()
              .forEach(files::add);
        } catch (IOException e) {
          throw new UserError(p + ": cannot list directory: " + e.getMessage(), e);
        }
      } else if (Files.isRegularFile(p)) {
        if (!Files.isReadable(p)) {
          throw new UserError(p + ": not readable");
        }
        files.add(p);
      } else {
        throw new UserError(p + ": no such file or directory");
      }
    }
    if (files.isEmpty()) {
      throw new UserError(
          "no capture files (named "
              + String.join(", ", SUFFIXES)
              + ", or starting as a pcap or pcapng file) in "
              + given);
    }
    return files;
  }

  /** Fails with the first file that is not a capture this build reads (its header is checked). */
  public static void requireReadable(List<Path> files) throws UserError {
    for (Path f : files) {
      try (PcapFileSource ignored = PcapFileSource.open(f)) {
        // opening reads and checks the file header
      } catch (IOException e) {
        throw new UserError(e.getMessage(), e);
      }
    }
  }

  /**
   * True for a file named as a capture, or one whose header is a capture's whatever its name:
   * tcpdump's rotated files ({@code -C}: {@code dump}, {@code dump1}, ...), {@code .dump}, {@code
   * .trace}, gzip-compressed captures under any name.
   */
  public static boolean looksLikeCapture(Path p) {
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return SUFFIXES.stream().anyMatch(name::endsWith) || startsAsCapture(p);
  }

  private static boolean startsAsCapture(Path p) {
    try (PcapFileSource ignored = PcapFileSource.open(p)) {
      return true;
    } catch (IOException | RuntimeException e) {
      return false; // not a capture, or not readable: left out, as before
    }
  }
}
