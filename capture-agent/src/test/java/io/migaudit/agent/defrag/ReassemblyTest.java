package io.migaudit.agent.defrag;

import static io.migaudit.agent.defrag.FragmentFrames.A;
import static io.migaudit.agent.defrag.FragmentFrames.B;
import static io.migaudit.agent.defrag.FragmentFrames.TCP;
import static io.migaudit.agent.defrag.FragmentFrames.ethernet;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.decode.DecodeIssue;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.decode.Layer;
import io.migaudit.agent.decode.PacketDecoder;
import io.migaudit.agent.source.CapturedPacket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fragmented packets put back together as the receiver does, and, where their pieces disagree or
 * never all come, handed on as they came: nothing held for ever, nothing lost.
 */
class ReassemblyTest {
  private static final long T0 = 1_700_000_000_000_000L;

  private final Counts counts = new Counts();
  private final Reassembly reassembly = new Reassembly(counts);
  private final PacketDecoder decoder = new PacketDecoder();
  private final DecodedPacket decoded = new DecodedPacket();

  @Test
  void aSegmentWhoseFirstPieceHoldsOnlyItsHeaderIsJudgedWhole() {
    byte[] pages = FragmentFrames.pages(1000);
    byte[] segment = FragmentFrames.tcp(8000, 5000, pages);
    List<byte[]> pieces = FragmentFrames.ipv4Pieces(TCP, A, B, 77, segment, 24);
    assertThat(pieces).hasSize(43);
    for (int i = 0; i < pieces.size() - 1; i++) {
      assertThat(offer(T0 + i, ethernet(pieces.get(i)))).as("piece %d held", i).isTrue();
      assertThat(reassembly.next()).isNull();
    }
    assertThat(offer(T0 + 99, ethernet(pieces.get(pieces.size() - 1)))).isTrue();

    Reassembly.Ready whole = reassembly.next();
    assertThat(whole.whole()).isTrue();
    assertThat(whole.pieces()).isEqualTo(43);
    assertThat(whole.packet().timestampMicros).as("when its last piece came").isEqualTo(T0 + 99);
    assertThat(decode(whole)).isEqualTo(DecodeIssue.NONE);
    assertThat(decoded.fragment).isFalse();
    assertThat(decoded.fragmentedIp).isEqualTo(DecodedPacket.NOT_FRAGMENTED);
    assertThat(decoded.srcPort).isEqualTo(41011);
    assertThat(decoded.dstPort).isEqualTo(8000);
    assertThat(decoded.tcpSeq).isEqualTo(5000);
    assertThat(decoded.ipLength).isEqualTo(20 + 20 + 1000);
    assertThat(payload()).isEqualTo(pages);
    assertThat(whole.packet().data.getShort(14 + 6)).as("no More Fragments, no offset").isZero();
    assertThat(reassembly.next()).isNull();
    assertThat(counts.reassembled).isEqualTo(1);
    assertThat(reassembly.waiting()).isZero();
    assertThat(reassembly.heldBytes()).isZero();
  }

  @Test
  void piecesInAnyOrderAndRepeatedByAMirrorMakeTheSamePacket() {
    byte[] pages = FragmentFrames.pages(3000);
    byte[] segment = FragmentFrames.tcp(8000, 1, pages);
    List<byte[]> pieces = new ArrayList<>(FragmentFrames.ipv4Pieces(TCP, A, B, 9, segment, 512));
    pieces.add(pieces.get(2).clone());
    Collections.shuffle(pieces, new Random(7));
    for (byte[] p : pieces) {
      offer(T0, ethernet(p));
    }
    Reassembly.Ready whole = reassembly.next();
    assertThat(whole).isNotNull();
    decode(whole);
    assertThat(payload()).isEqualTo(pages);
    assertThat(counts.reassembled).isEqualTo(1);
    assertThat(counts.conflicting).isZero();
    assertThat(reassembly.duplicates()).as("the mirror's copy taken once").isEqualTo(1);
  }

  @Test
  void aMirrorsCopiesThatComeAfterThePacketIsWholeAreTakenOnce() {
    List<byte[]> pieces = wholeFromTwoPieces(9);
    offer(T0 + 2, ethernet(pieces.get(0)));
    offer(T0 + 3, ethernet(pieces.get(1)));
    assertThat(drainReady()).singleElement().matches(Reassembly.Ready::whole);
    assertThat(reassembly.duplicates()).as("both copies came after it was whole").isEqualTo(2);
    assertThat(reassembly.waiting()).isZero();
    assertThat(offer(T0 + 4, ethernet(pieces.get(1)))).as("a third copy").isTrue();
    assertThat(reassembly.duplicates()).isEqualTo(3);
    reassembly.drain();
    assertThat(drainReady()).isEmpty();
    assertThat(counts.incomplete).as("no copy left waiting for the rest").isZero();
    assertThat(counts.conflicting).isZero();
  }

  @Test
  void aPieceWithOtherBytesAfterThePacketIsWholeIsAConflict() {
    List<byte[]> pieces = wholeFromTwoPieces(9);
    assertThat(reassembly.next().whole()).isTrue();
    byte[] forged = pieces.get(1).clone();
    forged[forged.length - 1] ^= 0x55;
    assertThat(offer(T0 + 2, ethernet(forged))).as("judged as it came").isFalse();
    assertThat(counts.conflicting).isEqualTo(1);
    assertThat(counts.lastConflict)
        .endsWith("IPv4 id 9: a piece that disagrees with the packet already put back together");
    assertThat(reassembly.waiting()).isZero();
  }

  @Test
  void afterAShortWhileTheSameIdentificationStartsAPacketOfItsOwn() {
    List<byte[]> pieces = wholeFromTwoPieces(9);
    assertThat(reassembly.next().whole()).isTrue();
    byte[] next =
        FragmentFrames.ipv4Pieces(
                TCP, A, B, 9, FragmentFrames.tcp(8000, 2000, FragmentFrames.pages(1000)), 512)
            .get(0);
    assertThat(offer(T0 + 1 + RecentPackets.WINDOW_MICROS, ethernet(next)))
        .as("an identification used again (RFC 4963)")
        .isTrue();
    assertThat(reassembly.waiting()).isEqualTo(1);
    assertThat(counts.conflicting).isZero();
  }

  @Test
  void piecesThatOverlapWithOtherBytesGoOnAsTheyCameAndAreCounted() {
    byte[] pages = FragmentFrames.pages(1000);
    byte[] segment = FragmentFrames.tcp(8000, 1, pages);
    List<byte[]> pieces = FragmentFrames.ipv4Pieces(TCP, A, B, 5, segment, 256);
    byte[] noise = new byte[segment.length];
    new Random(1).nextBytes(noise);
    byte[] overlap = FragmentFrames.ipv4Piece(TCP, A, B, 5, 256, true, noise, 256, 256);
    offer(T0, ethernet(pieces.get(0)));
    offer(T0 + 1, ethernet(pieces.get(1)));
    assertThat(offer(T0 + 2, ethernet(overlap))).as("judged as it came").isFalse();

    List<Reassembly.Ready> handedOn = drainReady();
    assertThat(handedOn).hasSize(2).noneMatch(Reassembly.Ready::whole);
    assertThat(handedOn.get(0).packet().data.array()).isEqualTo(ethernet(pieces.get(0)));
    assertThat(handedOn.get(1).packet().data.array()).isEqualTo(ethernet(pieces.get(1)));
    assertThat(counts.conflicting).isEqualTo(1);
    assertThat(counts.lastConflict)
        .isEqualTo(
            "192.168.50.11 -> 192.168.50.12, IPv4 id 5: pieces that overlap with other bytes or end"
                + " in different places");
    for (int i = 2; i < pieces.size(); i++) {
      assertThat(offer(T0 + 3, ethernet(pieces.get(i)))).as("the rest pass too").isFalse();
    }
    assertThat(reassembly.next()).isNull();
    assertThat(counts.reassembled).isZero();
    assertThat(reassembly.heldBytes()).isZero();
  }

  @Test
  void aPacketLongerThanIpAllowsIsAConflict() {
    byte[] data = FragmentFrames.tcp(8000, 1, new byte[44]);
    offer(T0, ethernet(FragmentFrames.ipv4Piece(TCP, A, B, 3, 0, true, data, 0, 40)));
    // ends at 65,528 + 64: past 65,535 with its 20-byte header ("ping of death")
    offer(T0, ethernet(FragmentFrames.ipv4Piece(TCP, A, B, 3, 65528, false, data, 0, 64)));
    offer(
        T0, ethernet(FragmentFrames.ipv4Piece(TCP, A, B, 3, 40, true, new byte[65488], 0, 65488)));
    assertThat(drainReady()).isNotEmpty().noneMatch(Reassembly.Ready::whole);
    assertThat(counts.conflicting).isEqualTo(1);
    assertThat(counts.lastConflict).endsWith("IPv4 id 3: longer than 65,535 bytes");
    assertThat(
            offer(T0, ethernet(FragmentFrames.ipv4Piece(TCP, A, B, 3, 65528, false, data, 0, 64))))
        .as("a later piece of it passes as it came")
        .isFalse();
    assertThat(counts.reassembled).isZero();
  }

  @Test
  void piecesOfAPacketThatNeverCompletesGoOnAfterThirtySeconds() {
    byte[] segment = FragmentFrames.tcp(8000, 1, FragmentFrames.pages(600));
    List<byte[]> pieces = FragmentFrames.ipv4Pieces(TCP, A, B, 11, segment, 200);
    offer(T0, ethernet(pieces.get(2)));
    offer(T0 + 5, ethernet(pieces.get(0)));
    reassembly.expire(T0 + Reassembly.TIMEOUT_MICROS - 1);
    assertThat(reassembly.next()).isNull();
    reassembly.expire(T0 + Reassembly.TIMEOUT_MICROS);

    List<Reassembly.Ready> handedOn = drainReady();
    assertThat(handedOn).extracting(r -> r.packet().timestampMicros).containsExactly(T0, T0 + 5);
    assertThat(handedOn).noneMatch(Reassembly.Ready::whole);
    assertThat(handedOn.get(1).packet().data.array()).isEqualTo(ethernet(pieces.get(0)));
    assertThat(counts.incomplete).isEqualTo(1);
    assertThat(reassembly.waiting()).isZero();
  }

  @Test
  void theEndOfTheCaptureHandsOnWhatIsWaiting() {
    byte[] segment = FragmentFrames.tcp(8000, 1, FragmentFrames.pages(600));
    offer(T0, ethernet(FragmentFrames.ipv4Pieces(TCP, A, B, 11, segment, 200).get(0)));
    offer(T0, ethernet(FragmentFrames.ipv4Pieces(TCP, A, B, 12, segment, 200).get(1)));
    reassembly.drain();
    assertThat(drainReady()).hasSize(2);
    assertThat(counts.incomplete).isEqualTo(2);
  }

  @Test
  void whatIsHeldStaysUnderItsBoundTheOldestGoingFirst() {
    byte[] segment = FragmentFrames.tcp(8000, 1, FragmentFrames.pages(2800));
    int packets = (int) (Reassembly.MAX_HELD_BYTES / 1500) + 10;
    for (int id = 0; id < packets; id++) {
      offer(T0 + id, ethernet(FragmentFrames.ipv4Pieces(TCP, A, B, id, segment, 1480).get(0)));
      assertThat(reassembly.heldBytes()).isLessThanOrEqualTo(Reassembly.MAX_HELD_BYTES);
    }
    List<Reassembly.Ready> handedOn = drainReady();
    assertThat(handedOn).isNotEmpty();
    assertThat(handedOn.get(0).packet().timestampMicros).isEqualTo(T0);
    assertThat(counts.incomplete).isEqualTo(handedOn.size());
  }

  @Test
  void aPieceTheSnapLengthCutIsNotHeld() {
    byte[] segment = FragmentFrames.tcp(8000, 1, FragmentFrames.pages(600));
    byte[] frame = ethernet(FragmentFrames.ipv4Pieces(TCP, A, B, 11, segment, 200).get(0));
    CapturedPacket c = FragmentFrames.captured(T0, Arrays.copyOf(frame, 96), frame.length);
    assertThat(decoder.decode(c, decoded)).isEqualTo(DecodeIssue.NONE);
    assertThat(reassembly.hold(c, decoded)).isFalse();
    assertThat(reassembly.waiting()).isZero();
  }

  @Test
  void ipv6PiecesThatDisagreeAreNamedForAPerson() {
    byte[] segment = FragmentFrames.tcp(8000, 42, FragmentFrames.pages(2000));
    List<byte[]> pieces = FragmentFrames.ipv6Pieces(TCP, 0xBEEF, segment, 1232);
    offer(T0, ethernet(pieces.get(1)));
    byte[] other = pieces.get(1).clone();
    other[other.length - 1] ^= 1;
    assertThat(offer(T0, ethernet(other))).isFalse();
    assertThat(counts.lastConflict)
        .isEqualTo(
            "fd00:50::11 -> fd00:50::12, IPv6 id 48879: pieces that overlap with other bytes or"
                + " end in different places");
  }

  @Test
  void ipv6PiecesLoseTheirFragmentHeader() {
    byte[] pages = FragmentFrames.pages(2000);
    byte[] segment = FragmentFrames.tcp(8000, 42, pages);
    List<byte[]> pieces = FragmentFrames.ipv6Pieces(TCP, 0xBEEF, segment, 1232);
    for (byte[] p : pieces) {
      offer(T0, ethernet(p));
    }
    Reassembly.Ready whole = reassembly.next();
    assertThat(decode(whole)).isEqualTo(DecodeIssue.NONE);
    assertThat(decoded.ipVersion).isEqualTo(6);
    assertThat(decoded.ipv6Fragment).isFalse();
    assertThat(decoded.ipProtocol).isEqualTo(TCP);
    assertThat(decoded.dstPort).isEqualTo(8000);
    assertThat(decoded.ipLength).isEqualTo(40 + segment.length);
    assertThat(payload()).isEqualTo(pages);
  }

  @Test
  void anIpv6AtomicFragmentIsJudgedAsItIsAndJoinsNoOtherPiece() {
    byte[] segment = FragmentFrames.tcp(8000, 42, FragmentFrames.pages(2000));
    List<byte[]> pieces = FragmentFrames.ipv6Pieces(TCP, 0xBEEF, segment, 1232);
    offer(T0, ethernet(pieces.get(0)));
    byte[] atomic = FragmentFrames.ipv6Pieces(TCP, 0xBEEF, segment, segment.length).get(0);
    assertThat(offer(T0 + 1, ethernet(atomic))).as("whole already (RFC 6946)").isFalse();
    assertThat(decoded.dstPort).isEqualTo(8000);
    assertThat(decoded.payloadWireLength).isEqualTo(2000);
    assertThat(counts.conflicting).isZero();
    offer(T0 + 2, ethernet(pieces.get(1)));
    assertThat(reassembly.next().whole()).as("the fragmented one is put together").isTrue();
  }

  @Test
  void aTunnelPacketItsUnderlayCutInTwoIsJudgedWhole() {
    byte[] pages = FragmentFrames.pages(1448);
    byte[] inner = ethernet(FragmentFrames.ipv4(TCP, A, B, 1, FragmentFrames.tcp(49152, 9, pages)));
    byte[] outer = FragmentFrames.vxlan(5000, 400, inner);
    byte[] datagram = Arrays.copyOfRange(outer, 14 + 20, outer.length); // UDP and all inside
    List<byte[]> pieces =
        FragmentFrames.ipv4Pieces(FragmentFrames.UDP, 0x0A140001, 0x0A140002, 400, datagram, 1480);
    assertThat(pieces).hasSize(2);
    offer(T0, ethernet(pieces.get(0)));
    assertThat(decoded.tunnelFragment).as("read inside from its first piece").isTrue();
    offer(T0 + 1, ethernet(pieces.get(1)));

    assertThat(decode(reassembly.next())).isEqualTo(DecodeIssue.NONE);
    assertThat(decoded.vni).isEqualTo(5000);
    assertThat(decoded.tunnelFragment).isFalse();
    assertThat(decoded.dstPort).isEqualTo(49152);
    assertThat(payload()).isEqualTo(pages);
  }

  @Test
  void piecesInsideATunnelAreJoinedAndTheTunnelsLengthsFollow() {
    byte[] pages = FragmentFrames.pages(3000);
    byte[] segment = FragmentFrames.tcp(49152, 9, pages);
    List<byte[]> pieces = FragmentFrames.ipv4Pieces(TCP, A, B, 21, segment, 1400);
    for (int i = 0; i < pieces.size(); i++) {
      offer(T0 + i, FragmentFrames.vxlan(5000, 900 + i, ethernet(pieces.get(i))));
    }
    Reassembly.Ready whole = reassembly.next();
    assertThat(decode(whole)).isEqualTo(DecodeIssue.NONE);
    assertThat(decoded.layers).startsWith(Layer.ETHERNET, Layer.IPV4, Layer.VXLAN);
    assertThat(decoded.vni).isEqualTo(5000);
    assertThat(payload()).isEqualTo(pages);
    ByteBuffer frame = whole.packet().data;
    assertThat(Short.toUnsignedInt(frame.getShort(14 + 2))).isEqualTo(frame.limit() - 14);
    assertThat(Short.toUnsignedInt(frame.getShort(14 + 20 + 4))).isEqualTo(frame.limit() - 34);
    assertThat(io.migaudit.agent.decode.InternetChecksum.sum(frame, 14, 20)).isEqualTo(0xFFFF);
  }

  @Test
  void theSamePiecesInAnotherVniAreAnotherPacket() {
    byte[] segment = FragmentFrames.tcp(49152, 9, FragmentFrames.pages(3000));
    List<byte[]> pieces = FragmentFrames.ipv4Pieces(TCP, A, B, 21, segment, 1400);
    offer(T0, FragmentFrames.vxlan(5000, 1, ethernet(pieces.get(0))));
    offer(T0, FragmentFrames.vxlan(6000, 2, ethernet(pieces.get(1))));
    offer(T0, FragmentFrames.vxlan(6000, 3, ethernet(pieces.get(2))));
    assertThat(reassembly.next()).isNull();
    assertThat(reassembly.waiting()).isEqualTo(2);
  }

  /** Offers both pieces of a segment (IPv4 id {@code id}) at T0 and T0 + 1; returns them. */
  private List<byte[]> wholeFromTwoPieces(int id) {
    byte[] segment = FragmentFrames.tcp(8000, 1, FragmentFrames.pages(1000));
    List<byte[]> pieces = FragmentFrames.ipv4Pieces(TCP, A, B, id, segment, 512);
    offer(T0, ethernet(pieces.get(0)));
    offer(T0 + 1, ethernet(pieces.get(1)));
    return pieces;
  }

  private boolean offer(long micros, byte[] frame) {
    CapturedPacket c = FragmentFrames.captured(micros, frame);
    assertThat(decoder.decode(c, decoded)).isEqualTo(DecodeIssue.NONE);
    return reassembly.hold(c, decoded);
  }

  private DecodeIssue decode(Reassembly.Ready r) {
    return decoder.decode(r.packet(), decoded);
  }

  private byte[] payload() {
    byte[] out = new byte[decoded.payloadCapturedLength];
    decoded.frame.get(decoded.payloadOffset, out);
    return out;
  }

  private List<Reassembly.Ready> drainReady() {
    List<Reassembly.Ready> out = new ArrayList<>();
    for (Reassembly.Ready r = reassembly.next(); r != null; r = reassembly.next()) {
      out.add(r);
    }
    return out;
  }

  /** The outcomes counted. */
  private static final class Counts implements Reassembly.Outcomes {
    long reassembled;
    long conflicting;
    String lastConflict;
    long incomplete;

    @Override
    public void packetReassembled() {
      reassembled++;
    }

    @Override
    public void packetConflicting(String what) {
      conflicting++;
      lastConflict = what;
    }

    @Override
    public void packetIncomplete() {
      incomplete++;
    }
  }
}
