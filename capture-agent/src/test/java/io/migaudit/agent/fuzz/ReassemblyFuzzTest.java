package io.migaudit.agent.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.migaudit.agent.decode.DecodeIssue;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.decode.PacketDecoder;
import io.migaudit.agent.defrag.FragmentFrames;
import io.migaudit.agent.defrag.Reassembly;
import io.migaudit.agent.source.CapturedPacket;
import java.nio.ByteBuffer;

/**
 * Coverage-guided fuzzing (Jazzer) of IP reassembly with pieces an attacker chooses: IPv4 and IPv6
 * pieces of four packets between two hosts, bare, tagged or in VXLAN (whose lengths a whole packet
 * must fix), at any offset up to past 65,535, of any length, marked last or not, with bytes that
 * repeat (so that overlaps agree or not), and time that jumps past the 30 s timeout. Whatever the
 * pieces: no exception, never more than {@link Reassembly#MAX_HELD_BYTES} held, and nothing lost:
 * after the end every piece held was handed on as it came, put in a whole packet (which takes at
 * least two), or an exact copy of one held, and nothing is left waiting.
 */
class ReassemblyFuzzTest {
  private static final long T0 = 1_700_000_000_000_000L;

  @FuzzTest(maxDuration = "30s")
  void anyPiecesAreHandedOnOrPutTogetherWithinBounds(FuzzedDataProvider in) {
    Outcomes outcomes = new Outcomes();
    Reassembly reassembly = new Reassembly(outcomes);
    PacketDecoder decoder = new PacketDecoder();
    DecodedPacket decoded = new DecodedPacket();
    long[] seen = new long[4]; // held, handed on, whole packets, pieces in whole packets
    long t = T0;
    int pieces = in.consumeInt(1, 300);
    for (int i = 0; i < pieces && in.remainingBytes() > 0; i++) {
      boolean v6 = in.consumeBoolean();
      int id = in.consumeInt(0, 3);
      int offset = in.consumeInt(0, 8200) * 8;
      boolean more = in.consumeBoolean();
      int length = in.consumeInt(1, 1480);
      byte[] data = new byte[length];
      java.util.Arrays.fill(data, in.consumeByte((byte) 0, (byte) 3));
      if (offset == 0 && length >= 8) {
        ByteBuffer.wrap(data).putShort((short) 40000).putShort((short) 40001);
      }
      t += in.consumeLong(0, 40_000_000L);
      byte[] frame =
          FragmentFrames.ethernet(
              v6
                  ? FragmentFrames.ipv6Piece(FragmentFrames.UDP, id, offset, more, data, 0, length)
                  : FragmentFrames.ipv4Piece(
                      FragmentFrames.UDP,
                      FragmentFrames.A,
                      FragmentFrames.B,
                      id,
                      offset,
                      more,
                      data,
                      0,
                      length));
      int around = in.consumeInt(0, 2);
      if (around == 1) {
        frame = FragmentFrames.tagged(in.consumeInt(1, 3), frame);
      } else if (around == 2) {
        frame = FragmentFrames.vxlan(in.consumeInt(0, 2), in.consumeInt(0, 0xFFFF), frame);
      }
      CapturedPacket c = FragmentFrames.captured(t, frame);
      if (reassembly.expire(t)) {
        take(reassembly, decoder, seen);
      }
      if (decoder.decode(c, decoded) == DecodeIssue.NONE && reassembly.hold(c, decoded)) {
        seen[0]++;
        take(reassembly, decoder, seen);
      }
      assertThat(reassembly.heldBytes()).isBetween(0L, Reassembly.MAX_HELD_BYTES);
    }
    reassembly.drain();
    take(reassembly, decoder, seen);
    assertThat(reassembly.waiting()).isZero();
    assertThat(reassembly.heldBytes()).isZero();
    assertThat(seen[1] + seen[3] + reassembly.duplicates())
        .as("pieces handed on, in whole packets, or copies")
        .isEqualTo(seen[0]);
    assertThat(seen[3])
        .as("two or more pieces in each whole packet")
        .isGreaterThanOrEqualTo(2 * seen[2]);
    assertThat(seen[2]).isEqualTo(outcomes.reassembled);
  }

  /** Takes what is ready: whole packets must decode or be refused with a reason, never throw. */
  private static void take(Reassembly reassembly, PacketDecoder decoder, long[] seen) {
    DecodedPacket d = new DecodedPacket();
    for (Reassembly.Ready r = reassembly.next(); r != null; r = reassembly.next()) {
      seen[r.whole() ? 2 : 1]++;
      decoder.decode(r.packet(), d);
      if (r.whole()) {
        seen[3] += r.pieces();
        assertThat(d.fragmentedIp).as("a whole packet is no piece").isNegative();
      }
    }
  }

  /** The outcomes counted. */
  private static final class Outcomes implements Reassembly.Outcomes {
    long reassembled;

    @Override
    public void packetReassembled() {
      reassembled++;
    }

    @Override
    public void packetConflicting(String what) {
      // counted by the pipeline; here only the packets put together are checked
    }

    @Override
    public void packetIncomplete() {
      // as above
    }
  }
}
