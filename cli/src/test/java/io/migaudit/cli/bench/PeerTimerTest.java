package io.migaudit.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerTimerTest {
  @TempDir Path dir;

  @Test
  void aRunThatSucceedsIsTimed() throws Exception {
    PeerTimer.Run run = PeerTimer.time(List.of("sh", "-c", "echo working; sleep 0.2"), 30);
    assertThat(run.failed()).isFalse();
    assertThat(run.failure()).isNull();
    assertThat(run.nanos()).isGreaterThanOrEqualTo(200_000_000L);
  }

  @Test
  void aRunThatFailsSaysWhyWithItsExitStatusAndLastLine() throws Exception {
    Path peer = dir.resolve("peer");
    Files.writeString(
        peer,
        "#!/bin/sh\n"
            + "echo 'reading from file x.pcap, link-type EN10MB (Ethernet)' >&2\n"
            + "echo \"tcpdump: Couldn't find user 'tcpdump'\" >&2\n"
            + "echo\n"
            + "exit 3\n");
    Files.setPosixFilePermissions(peer, PosixFilePermissions.fromString("rwx------"));
    PeerTimer.Run run = PeerTimer.time(List.of(peer.toString()), 30);
    assertThat(run.failed()).isTrue();
    assertThat(run.nanos()).isEqualTo(-1);
    assertThat(run.failure()).isEqualTo("exit 3: tcpdump: Couldn't find user 'tcpdump'");
  }

  @Test
  void aRunPastItsTimeIsStoppedAndSaysSo() throws Exception {
    long t0 = System.nanoTime();
    PeerTimer.Run run = PeerTimer.time(List.of("sleep", "30"), 1);
    assertThat(run.failure()).isEqualTo("ran past 1 s");
    assertThat(System.nanoTime() - t0).isLessThan(20_000_000_000L);
  }

  @Test
  void aLongLastLineIsCut() throws Exception {
    PeerTimer.Run run = PeerTimer.time(List.of("sh", "-c", "printf '%0300d\\n' 0; exit 1"), 30);
    assertThat(run.failure()).startsWith("exit 1: 000").endsWith("...").hasSize(168);
  }

  @Test
  void tcpdumpKeepsTheUserItRunsAs() {
    // run as root, Debian's tcpdump would switch to the user tcpdump, which a bare image lacks
    PeerTimer.Peer tcpdump =
        PeerTimer.PEERS.stream().filter(p -> p.binary().equals("tcpdump")).findFirst().get();
    List<String> command = tcpdump.command("/usr/bin/tcpdump", Path.of("c.pcap"), dir);
    assertThat(command)
        .containsSubsequence("-Z", System.getProperty("user.name"))
        .containsSubsequence("-r", "c.pcap", "-w", "/dev/null");
  }
}
