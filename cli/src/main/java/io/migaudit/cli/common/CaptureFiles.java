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

  /** Files as given, and every capture file below given directories (sorted by path). */
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
      throw new UserError("no capture files (" + String.join(", ", SUFFIXES) + ") in " + given);
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

  public static boolean looksLikeCapture(Path p) {
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return SUFFIXES.stream().anyMatch(name::endsWith);
  }
}
