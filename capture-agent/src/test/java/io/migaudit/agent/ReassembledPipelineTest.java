package io.migaudit.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.source.CaptureBytes;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.Verdict;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plaintext migration whose every data segment is cut into IPv4 fragments, the first holding only
 * the TCP header (the tiny-fragment evasion, RFC 1858): the agent puts each segment back together,
 * so the connection itself is judged by the pages it carried, and no flow of bare fragments is
 * left; one pipeline and workers sharing the file alike.
 */
class ReassembledPipelineTest {
  private static final int A = 0xC0A8320B;
  private static final int B = 0xC0A8320C;
  private static final int SEGMENTS = 40;
  private static final int MSS = 1448;
  private static final int PIECE = 24; // the TCP header and 4 bytes, then 24 bytes at a time

  @TempDir Path dir;

  @Test
  void segmentsCutIntoFragmentsAreJudgedWholeByOnePipelineAndByWorkers() throws Exception {
    Path pcap = dir.resolve("tiny-fragments.pcap");
    int pieces = writeCapture(pcap);

    PipelineCounters one = new PipelineCounters();
    List<FlowRecord> byOne = run(pcap, one, 1);
    PipelineCounters three = new PipelineCounters();
    List<FlowRecord> byThree = run(pcap, three, 3);

    for (List<FlowRecord> records : List.of(byOne, byThree)) {
      FlowRecord connection =
          records.stream().filter(r -> r.last() && r.dstPort() == 8000).findFirst().orElseThrow();
      assertThat(connection.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
      assertThat(connection.payload().sampledBytes()).isPositive();
      assertThat(connection.stream() == null ? 0 : connection.stream().cutSegments())
          .as("segments whole")
          .isZero();
      assertThat(records).as("no flow of bare fragments").noneMatch(r -> r.dstPort() == 0);
    }
    assertThat(byThree.stream().filter(FlowRecord::last).map(FlowRecord::flowId))
        .containsExactlyInAnyOrderElementsOf(
            byOne.stream().filter(FlowRecord::last).map(FlowRecord::flowId).toList());
    for (PipelineCounters c : List.of(one, three)) {
      assertThat(c.reassembled()).isEqualTo(SEGMENTS);
      assertThat(c.tcpFragments()).as("every piece counted once").isEqualTo(pieces);
      assertThat(c.reassemblyConflicts()).isZero();
      assertThat(c.reassemblyIncomplete()).isZero();
    }
  }

  private static List<FlowRecord> run(Path pcap, PipelineCounters counters, int workers)
      throws Exception {
    List<FlowRecord> records = Collections.synchronizedList(new ArrayList<>());
    new CaptureWorkers(AgentConfig.defaults("t"), records::add, counters, workers)
        .run(pcap, "file", EndReason.END_OF_CAPTURE);
    return new ArrayList<>(records);
  }

  /** Handshake, the segments in pieces, the closes; returns how many pieces. */
  private static int writeCapture(Path pcap) throws Exception {
    CaptureBytes file =
        CaptureBytes.pcap(
            ByteOrder.LITTLE_ENDIAN, 0xA1B2C3D4, 65535, CaptureBytes.LINKTYPE_ETHERNET);
    long[] t = {0};
    long seq = 1000;
    add(file, t, packet(A, B, 0, false, 0, tcp(41011, 8000, 999, 0, 0x02, new byte[0])));
    add(file, t, packet(B, A, 0, false, 0, tcp(8000, 41011, 4999, 1000, 0x12, new byte[0])));
    add(file, t, packet(A, B, 0, false, 0, tcp(41011, 8000, 1000, 5000, 0x10, new byte[0])));
    int pieces = 0;
    for (int s = 0; s < SEGMENTS; s++) {
      byte[] segment = tcp(41011, 8000, seq, 5000, 0x18, pages(s, MSS));
      seq += MSS;
      for (int at = 0; at < segment.length; at += PIECE) {
        int n = Math.min(PIECE, segment.length - at);
        byte[] piece = java.util.Arrays.copyOfRange(segment, at, at + n);
        add(file, t, packet(A, B, 100 + s, at + n < segment.length, at, piece));
        pieces++;
      }
      add(file, t, packet(B, A, 0, false, 0, tcp(8000, 41011, 5000, (int) seq, 0x10, new byte[0])));
    }
    add(file, t, packet(A, B, 0, false, 0, tcp(41011, 8000, seq, 5000, 0x11, new byte[0])));
    add(file, t, packet(B, A, 0, false, 0, tcp(8000, 41011, 5000, seq + 1, 0x11, new byte[0])));
    Files.write(pcap, file.bytes());
    return pieces;
  }

  private static void add(CaptureBytes file, long[] t, byte[] frame) {
    t[0] += 50;
    file.record(1_700_000_000, t[0], frame, frame.length);
  }

  private static byte[] pages(int segment, int n) {
    StringBuilder s = new StringBuilder();
    while (s.length() < n) {
      s.append("guest page ").append(segment).append(": memory in the clear, readable text. ");
    }
    return s.substring(0, n).getBytes();
  }

  private static byte[] tcp(int src, int dst, long seq, long ack, int flags, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
    b.putShort((short) src).putShort((short) dst).putInt((int) seq).putInt((int) ack);
    b.put((byte) 0x50).put((byte) flags).putShort((short) 65535).putInt(0).put(payload);
    return b.array();
  }

  /** Ethernet and IPv4 around {@code data}: a piece at {@code offset} when {@code id} is not 0. */
  private static byte[] packet(int src, int dst, int id, boolean more, int offset, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(14 + 20 + data.length);
    b.put(new byte[] {2, 0, 0, 0, 0, 0x12, 2, 0, 0, 0, 0, 0x11}).putShort((short) 0x0800);
    b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + data.length)).putShort((short) id);
    b.putShort((short) ((more ? 0x2000 : 0) | offset / 8)).put((byte) 64).put((byte) 6);
    b.putShort((short) 0).putInt(src).putInt(dst).put(data);
    return b.array();
  }
}
