package io.migaudit.agent.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.decode.DecodeIssue;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.decode.InvariantCrc;
import io.migaudit.agent.decode.PacketDecoder;
import io.migaudit.agent.source.CapturedPacket;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.Verdict;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * RDMA between two hosts as a switch mirror sees it: RC RDMA WRITEs one way, acknowledgements the
 * other, each side from its own queue pair's UDP source port. Both directions are one flow
 * (transport {@code rocev2}) judged by the memory the WRITEs carry, and packets whose ICRC is
 * wrong, which the destination's NIC drops, add nothing to it.
 */
class RdmaFlowTest {
  private static final long T0 = 1_700_000_000_000_000L;
  private static final int MTU = 1024;
  private static final int WRITE_FIRST = 0x06;
  private static final int WRITE_MIDDLE = 0x07;
  private static final int WRITE_LAST = 0x08;
  private static final int ACKNOWLEDGE = 0x11;

  private final PacketDecoder decoder = new PacketDecoder();
  private final List<FlowRecord> records = new ArrayList<>();
  private final FlowTable table = CollectingTables.agentDefaults(records);
  private int badIcrc;
  private int psn = 100;

  @Test
  void writesAndTheirAcksAreOneFlowJudgedByTheMemoryAndForgedPacketsAddNothing() {
    byte[] pages = Packets.readablePages(64 << 10);
    Random forger = new Random(7);
    long t = T0;
    for (int message = 0; message < pages.length; message += 16 << 10) {
      for (int at = message; at < message + (16 << 10); at += MTU) {
        int opcode =
            at == message
                ? WRITE_FIRST
                : at + MTU == message + (16 << 10) ? WRITE_LAST : WRITE_MIDDLE;
        byte[] chunk = java.util.Arrays.copyOfRange(pages, at, at + MTU);
        byte[] random = new byte[MTU];
        for (int f = 0; f < 4; f++) {
          forger.nextBytes(random);
          offer(t++, frame(11, 12, 0xC011, opcode, psn, 0x22, chunk.length, random, true));
        }
        offer(t++, frame(11, 12, 0xC011, opcode, psn++, 0x22, chunk.length, chunk, false));
      }
      offer(t++, frame(12, 11, 0xC022, ACKNOWLEDGE, psn - 1, 0x11, 0, new byte[0], false));
    }
    table.flush(EndReason.END_OF_CAPTURE);

    assertThat(badIcrc).isEqualTo(4 * 64);
    assertThat(records).allMatch(r -> r.transport().equals("rocev2"));
    assertThat(records).filteredOn(FlowRecord::last).hasSize(1);
    FlowRecord r = records.get(records.size() - 1);
    assertThat(r.last()).isTrue();
    assertThat(r.transport()).isEqualTo("rocev2");
    assertThat(r.srcPort()).isEqualTo(4791);
    assertThat(r.dstPort()).isEqualTo(4791);
    assertThat(r.src()).isEqualTo("192.168.50.11");
    assertThat(r.srcToDst().payloadBytes()).isEqualTo(pages.length);
    assertThat(r.srcToDst().packets()).isEqualTo(64);
    assertThat(r.dstToSrc().packets()).isEqualTo(4);
    assertThat(r.dstToSrc().payloadBytes()).isZero();
    assertThat(r.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
  }

  private void offer(long micros, byte[] frame) {
    CapturedPacket p = new CapturedPacket();
    p.timestampMicros = micros;
    p.linkType = PacketDecoder.LINKTYPE_ETHERNET;
    p.originalLength = frame.length;
    p.data = ByteBuffer.wrap(frame);
    DecodedPacket d = new DecodedPacket();
    DecodeIssue issue = decoder.decode(p, d);
    if (issue == DecodeIssue.ROCE_BAD_ICRC) {
      badIcrc++;
      return;
    }
    assertThat(issue).isEqualTo(DecodeIssue.NONE);
    assertThat(d.ipProtocol).isEqualTo(DecodedPacket.PROTOCOL_ROCEV2);
    table.offer(d);
  }

  /**
   * An Ethernet RoCEv2 frame from 192.168.50.{@code src} to .{@code dst}: RETH on a WRITE First,
   * AETH on an acknowledgement, then {@code payload} and the ICRC (wrong when {@code forged}).
   */
  private static byte[] frame(
      int src,
      int dst,
      int sport,
      int opcode,
      int psn,
      int qp,
      int dmaLength,
      byte[] payload,
      boolean forged) {
    int extension = opcode == WRITE_FIRST ? 16 : opcode == ACKNOWLEDGE ? 4 : 0;
    int udpLength = 8 + 12 + extension + payload.length + 4;
    ByteBuffer b = ByteBuffer.allocate(14 + 20 + udpLength);
    b.put(new byte[] {2, 0, 0, 0, 0, (byte) dst, 2, 0, 0, 0, 0, (byte) src})
        .putShort((short) 0x0800);
    b.put((byte) 0x45).put((byte) 0x6a).putShort((short) (20 + udpLength)).putShort((short) psn);
    b.putShort((short) 0x4000).put((byte) 64).put((byte) 17).putShort((short) 0);
    b.put(
        new byte[] {
          (byte) 192, (byte) 168, 50, (byte) src, (byte) 192, (byte) 168, 50, (byte) dst
        });
    b.putShort((short) sport)
        .putShort((short) 4791)
        .putShort((short) udpLength)
        .putShort((short) 0);
    b.put((byte) opcode).put((byte) 0x40).putShort((short) 0xFFFF).putInt(qp);
    b.putInt((opcode == WRITE_LAST ? 0x80000000 : 0) | psn);
    if (opcode == WRITE_FIRST) {
      b.putLong(0x7f0000000000L).putInt(0x1234).putInt(16 << 10);
    } else if (opcode == ACKNOWLEDGE) {
      b.putInt(0x1f000000 | psn);
    }
    b.put(payload);
    // the ICRC as InvariantCrc computes it (RoceDecoderTest checks that on Python's vectors)
    b.putInt(InvariantCrc.of(b, 14, b.position()) ^ (forged ? -1 : 0));
    return b.array();
  }
}
