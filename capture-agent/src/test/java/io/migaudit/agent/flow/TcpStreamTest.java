package io.migaudit.agent.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.classify.PageStreams;
import io.migaudit.agent.classify.PayloadSample;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.PortCatalog;
import io.migaudit.record.Signature;
import io.migaudit.record.StreamEvidence;
import io.migaudit.record.Verdict;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The flow table samples what the receiver takes, in stream order, whatever else is on the wire.
 */
class TcpStreamTest {
  private static final long T0 = 1_700_000_000_000_000L;
  private static final int MSS = 1448;
  private static final int CLIENT_ISN = 1_000;
  private static final int SERVER_ISN = 900_000;
  private static final int SYN = 0x02;
  private static final int ACK = 0x10;
  private static final int RST = 0x04;
  private static final int FIN = 0x01;
  private static final int PSH = 0x08;

  private final List<FlowRecord> records = new ArrayList<>();
  private final FlowTable table =
      new FlowTable(
          new FlowTableConfig(
              1000, Duration.ofHours(1), Duration.ofHours(1), Duration.ofSeconds(2)),
          PortCatalog.builtIn(),
          "t",
          "eth0",
          records::add,
          256 * 1024,
          1500);
  private long clock = T0;

  /** A segment of the client (10.0.0.11:40000) to the vMotion server (10.0.0.12:8000) or back. */
  private void offer(
      boolean fromClient, int flags, int seq, int ack, byte[] payload, int wireLength) {
    offerTo(table, fromClient, flags, seq, ack, payload, wireLength, clock += 10);
  }

  private static void offerTo(
      FlowTable table,
      boolean fromClient,
      int flags,
      int seq,
      int ack,
      byte[] payload,
      int wireLength,
      long micros) {
    DecodedPacket p = new DecodedPacket();
    p.reset();
    p.timestampMicros = micros;
    p.ipVersion = 4;
    p.ipProtocol = 6;
    p.srcLo = fromClient ? 0x0A00000BL : 0x0A00000CL;
    p.dstLo = fromClient ? 0x0A00000CL : 0x0A00000BL;
    p.srcPort = fromClient ? 40000 : 8000;
    p.dstPort = fromClient ? 8000 : 40000;
    p.tcpFlags = flags;
    p.tcpSeq = seq;
    p.tcpAck = ack;
    p.tcpWindow = 65535;
    p.tcpWindowScale = (flags & SYN) != 0 ? 7 : DecodedPacket.NO_WINDOW_SCALE;
    p.ipLength = 40 + wireLength;
    p.frame = ByteBuffer.wrap(payload);
    p.payloadCapturedLength = payload.length;
    p.payloadWireLength = wireLength;
    table.offer(p);
  }

  private void data(int seq, byte[] payload) {
    offer(true, ACK | PSH, seq, SERVER_ISN + 1, payload, payload.length);
  }

  private void handshake() {
    offer(true, SYN, CLIENT_ISN, 0, new byte[0], 0);
    offer(false, SYN | ACK, SERVER_ISN, CLIENT_ISN + 1, new byte[0], 0);
    offer(true, ACK, CLIENT_ISN + 1, SERVER_ISN + 1, new byte[0], 0);
  }

  /** Guest-memory-like plaintext: zero pages, kernel pointers, small integers. */
  private static byte[] memory(int n) {
    Random r = new Random(n);
    byte[] out = new byte[n];
    for (int i = 0; i < n; i += 8) {
      long v = (i / 4096) % 3 == 0 ? 0 : 0xffff888000000000L | (r.nextInt(1 << 20) << 6);
      for (int b = 0; b < 8 && i + b < n; b++) {
        out[i + b] = (byte) (v >>> (8 * b));
      }
    }
    return out;
  }

  private static byte[] forgedTlsRecord() {
    byte[] b = new byte[69];
    new Random(1).nextBytes(b);
    System.arraycopy(new byte[] {0x17, 0x03, 0x03, 0x00, 0x40}, 0, b, 0, 5);
    return b;
  }

  /** {@code MSS} random bytes: what a forged segment carries. */
  private static byte[] randomSegment(Random random) {
    byte[] b = new byte[MSS];
    random.nextBytes(b);
    return b;
  }

  /** A client RST at {@code seq} (in window: it ends the flow for the tracker). */
  private void reset(int seq) {
    offer(true, RST | ACK, seq, SERVER_ISN + 1, new byte[0], 0);
  }

  /** A client SYN with initial sequence number {@code isn}: a new connection on the same ports. */
  private void syn(int isn) {
    offer(true, SYN, isn, 0, new byte[0], 0);
  }

  /**
   * {@code pairs} forged RST and SYN pairs in a row before the real segment at {@code seq}: the
   * first RST at {@code seq}, each later one in the window of the connection the SYN before it
   * opened, each SYN 2^31 and a random amount away, each connection given one random segment.
   */
  private void forgedPairs(int seq, int pairs, Random random) {
    int forgedSeq = seq;
    for (int pair = 0; pair < pairs; pair++) {
      reset(forgedSeq);
      forgedSeq = seq + (1 << 31) + random.nextInt(1 << 20);
      syn(forgedSeq++);
      data(forgedSeq, randomSegment(random));
      forgedSeq += MSS;
    }
  }

  /**
   * A handshake and 200 segments of plaintext, with {@link #forgedPairs} ({@code pairs} in a row,
   * random bytes from {@code seed}) before every 16th; the last record after the flush.
   */
  private FlowRecord streamBehindForgedPairs(int pairs, long seed) {
    handshake();
    byte[] stream = memory(200 * MSS);
    Random random = new Random(seed);
    for (int i = 0; i < 200; i++) {
      int seq = CLIENT_ISN + 1 + i * MSS;
      if (i % 16 == 0) {
        forgedPairs(seq, pairs, random);
      }
      data(seq, Arrays.copyOfRange(stream, i * MSS, (i + 1) * MSS));
    }
    return finalRecord();
  }

  /** Sends {@code stream} as MSS-sized segments from sequence number {@code seq}. */
  private void send(int seq, byte[] stream) {
    for (int off = 0; off < stream.length; off += MSS) {
      data(seq + off, Arrays.copyOfRange(stream, off, Math.min(stream.length, off + MSS)));
    }
  }

  private FlowRecord finalRecord() {
    table.flush(EndReason.END_OF_CAPTURE);
    return records.get(records.size() - 1);
  }

  @Test
  void aForgedSegmentOutsideTheWindowIsIgnored() {
    handshake();
    offer(true, ACK | PSH, CLIENT_ISN + 1 + (1 << 30), SERVER_ISN + 1, forgedTlsRecord(), 69);
    send(CLIENT_ISN + 1, memory(100 * MSS));
    FlowRecord r = finalRecord();
    assertThat(r.payload().signature()).isEqualTo(Signature.NONE);
    assertThat(r.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(r.payload().sampledBytes()).isEqualTo(100 * MSS);
    assertThat(r.stream()).isEqualTo(new StreamEvidence(false, 1, 0, 0, 0));
  }

  @Test
  void aForgedSegmentInsideTheWindowCannotMakePlaintextEncrypted() {
    handshake();
    offer(
        true,
        ACK | PSH,
        CLIENT_ISN + 1,
        SERVER_ISN + 1,
        forgedTlsRecord(),
        69); // bad checksum: dropped
    send(CLIENT_ISN + 1, memory(100 * MSS)); // the receiver's real first segment overlaps it
    FlowRecord r = finalRecord();
    assertThat(r.payload().signature()).isEqualTo(Signature.TLS);
    assertThat(r.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(r.payload().reason()).contains("the tls record chain broke");
  }

  @Test
  void aRecordBeforeTheFirstDataKeepsTheStreamAnchoredAtTheSyn() {
    List<FlowRecord> out = new ArrayList<>();
    FlowTable quick =
        new FlowTable(
            new FlowTableConfig(
                1000, Duration.ofSeconds(1), Duration.ofHours(1), Duration.ofSeconds(2)),
            PortCatalog.builtIn(),
            "t",
            "eth0",
            out::add,
            256 * 1024,
            1500);
    // the handshake, then 2 s of silence (an interim record: the flow id is made), then the attack
    offerTo(quick, true, SYN, CLIENT_ISN, 0, new byte[0], 0, T0);
    offerTo(quick, false, SYN | ACK, SERVER_ISN, CLIENT_ISN + 1, new byte[0], 0, T0 + 10);
    offerTo(quick, true, ACK, CLIENT_ISN + 1, SERVER_ISN + 1, new byte[0], 0, T0 + 20);
    offerTo(quick, true, ACK, CLIENT_ISN + 1, SERVER_ISN + 1, new byte[0], 0, T0 + 2_000_000);
    assertThat(out).as("an interim record before any payload").isNotEmpty();
    offerTo(
        quick,
        true,
        ACK | PSH,
        CLIENT_ISN + 1 + (1 << 30),
        SERVER_ISN + 1,
        forgedTlsRecord(),
        69,
        T0 + 2_000_010);
    byte[] stream = memory(20 * MSS);
    for (int off = 0; off < stream.length; off += MSS) {
      offerTo(
          quick,
          true,
          ACK,
          CLIENT_ISN + 1 + off,
          SERVER_ISN + 1,
          Arrays.copyOfRange(stream, off, off + MSS),
          MSS,
          T0 + 2_000_100 + off);
    }
    quick.flush(EndReason.END_OF_CAPTURE);
    FlowRecord r = out.get(out.size() - 1);
    assertThat(r.midStream()).isFalse();
    assertThat(r.stream().outOfWindowSegments()).isEqualTo(1);
    assertThat(r.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(r.flowId()).isEqualTo(out.get(0).flowId());
  }

  @Test
  void retransmissionsAreSampledOnce() {
    handshake();
    byte[] stream = memory(10 * MSS);
    send(CLIENT_ISN + 1, stream);
    data(CLIENT_ISN + 1 + 3 * MSS, Arrays.copyOfRange(stream, 3 * MSS, 4 * MSS));
    FlowRecord r = finalRecord();
    assertThat(r.payload().sampledBytes()).isEqualTo(10 * MSS);
    assertThat(r.stream().retransmittedSegments()).isEqualTo(1);
    assertThat(r.srcToDst().payloadBytes()).as("counters count the wire").isEqualTo(11 * MSS);
  }

  @Test
  void aLostSegmentIsAGap() {
    handshake();
    byte[] stream = memory(10 * MSS);
    for (int i = 0; i < 10; i++) {
      if (i != 4) {
        data(CLIENT_ISN + 1 + i * MSS, Arrays.copyOfRange(stream, i * MSS, (i + 1) * MSS));
      }
    }
    FlowRecord r = finalRecord();
    assertThat(r.stream().gapBytes()).isEqualTo(MSS);
    assertThat(r.payload().sampledBytes()).isEqualTo(9 * MSS);
  }

  @Test
  void bytesCutByTheSnapLengthAreAGapNotSpliced() {
    handshake();
    byte[] head = memory(128);
    offer(true, ACK, CLIENT_ISN + 1, SERVER_ISN + 1, head, MSS);
    offer(true, ACK, CLIENT_ISN + 1 + MSS, SERVER_ISN + 1, head, MSS);
    FlowRecord r = finalRecord();
    assertThat(r.payload().sampledBytes())
        .as("each cut segment's first bytes stay out of the sample")
        .isEqualTo(2 * (128 - PayloadSample.CUT_SEGMENT_UNSAMPLED_BYTES));
    assertThat(r.stream().cutSegments()).isEqualTo(2);
    assertThat(r.stream().gapBytes())
        .as("snap-length cuts are not capture loss on the wire")
        .isZero();
  }

  @Test
  void superFramesLargerThanTheMssFollowOn() {
    handshake();
    byte[] gro = memory(64_000); // a GRO/TSO segment as a host capture shows it
    offer(true, ACK, CLIENT_ISN + 1, SERVER_ISN + 1, gro, gro.length);
    offer(true, ACK, CLIENT_ISN + 1 + gro.length, SERVER_ISN + 1, memory(MSS), MSS);
    FlowRecord r = finalRecord();
    assertThat(r.stream()).isNull();
    assertThat(r.payload().sampledBytes()).isEqualTo(1500 + MSS);
  }

  @Test
  void aResetOutsideTheWindowDoesNotEndTheFlow() {
    handshake();
    send(CLIENT_ISN + 1, memory(4 * MSS));
    offer(false, RST, SERVER_ISN + 1 + (1 << 30), 0, new byte[0], 0);
    assertThat(records).noneMatch(FlowRecord::last);
    offer(false, RST | ACK, SERVER_ISN + 1, CLIENT_ISN + 1 + 4 * MSS, new byte[0], 0);
    assertThat(records)
        .filteredOn(FlowRecord::last)
        .singleElement()
        .satisfies(r -> assertThat(r.endReason()).isEqualTo("rst"));
  }

  @Test
  void aFlowFirstSeenMidStreamIsMarkedAndJudgedOnContent() {
    byte[] stream = memory(50 * MSS);
    System.arraycopy("SSH-2.0-".getBytes(StandardCharsets.US_ASCII), 0, stream, 0, 8);
    send(77_777, stream);
    FlowRecord r = finalRecord();
    assertThat(r.midStream()).isTrue();
    assertThat(r.payload().signature())
        .as("a mid-stream head is no signature")
        .isEqualTo(Signature.NONE);
    assertThat(r.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
  }

  /**
   * A QEMU stream's magic is at its start and nowhere else: a flow first seen without its handshake
   * at a segment that opens a migration stream (the live agent follows such a connection from that
   * segment on) starts there.
   */
  @Test
  void aFlowFirstSeenAtAMigrationOpeningStartsThere() {
    byte[] stream = memory(50 * MSS);
    System.arraycopy(new byte[] {'Q', 'E', 'V', 'M', 0, 0, 0, 3}, 0, stream, 0, 8);
    send(77_777, stream);
    FlowRecord r = finalRecord();
    assertThat(r.midStream()).as("no handshake seen").isTrue();
    assertThat(r.payload().signature()).isEqualTo(Signature.QEMU);
    assertThat(r.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
  }

  @Test
  void aStreamThatLostItsPlaceFindsItAgain() {
    handshake();
    send(CLIENT_ISN + 1, memory(10 * MSS));
    // 64 MiB never captured (one direction of a mirror: no ACKs to say where the stream went)
    send(CLIENT_ISN + 1 + 10 * MSS + (64 << 20), memory(40 * MSS));
    FlowRecord r = finalRecord();
    assertThat(r.stream().outOfWindowSegments()).isEqualTo(TcpStream.RUN_TO_RESYNC - 1);
    assertThat(r.payload().sampledBytes())
        .isEqualTo(10 * MSS + (40 - TcpStream.RUN_TO_RESYNC + 1) * MSS);
    assertThat(r.midStream()).isTrue();
  }

  /** {@code n} random bytes (ciphertext-like) from {@code seed}. */
  private static byte[] uniform(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /**
   * Sends {@code stream} as MSS-sized segments, each just after a forged copy at the same sequence
   * numbers (its checksum wrong, so the receiver drops it and keeps the real one): one TLS record
   * of random bytes the size of the segment, the first a handshake record.
   */
  private void sendShadowed(byte[] stream) {
    Random random = new Random(7);
    for (int off = 0; off < stream.length; off += MSS) {
      int length = Math.min(MSS, stream.length - off);
      byte[] forged = new byte[length];
      random.nextBytes(forged);
      forged[0] = (byte) (off == 0 ? 0x16 : 0x17);
      forged[1] = 0x03;
      forged[2] = 0x03;
      forged[3] = (byte) ((length - 5) >>> 8);
      forged[4] = (byte) (length - 5);
      data(CLIENT_ISN + 1 + off, forged);
      data(CLIENT_ISN + 1 + off, Arrays.copyOfRange(stream, off, off + length));
    }
  }

  @Test
  void aForgedCopyBeforeEverySegmentCannotMakePlaintextEncrypted() {
    handshake();
    sendShadowed(memory(200 * MSS));
    FlowRecord r = finalRecord();
    assertThat(r.payload().signature())
        .as("the tracker took the forged copies")
        .isEqualTo(Signature.TLS);
    assertThat(r.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(r.payload().reason()).contains("the stream did not take").contains("readable");
    assertThat(r.stream().retransmittedSegments()).isEqualTo(200);
  }

  @Test
  void aForgedCopyBeforeEverySegmentCannotMakeCompressedEncrypted() {
    handshake();
    byte[] compressed = PageStreams.rawDeflate(memory(2000 * MSS), 1);
    sendShadowed(compressed);
    FlowRecord r = finalRecord();
    assertThat(r.payload().verdict()).isEqualTo(Verdict.COMPRESSED);
    assertThat(r.payload().reason()).contains("the stream did not take").contains("compressed");
  }

  @Test
  void aForgedSegmentFarAheadCannotHideTheSegmentsBehindIt() {
    handshake();
    // one forged segment 1 MiB ahead, in window: the real segments up to it come behind the stream
    data(CLIENT_ISN + 1 + (1 << 20), uniform(MSS, 3));
    send(CLIENT_ISN + 1, memory(200 * MSS));
    FlowRecord r = finalRecord();
    assertThat(r.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(r.payload().reason()).contains("the stream did not take");
  }

  @Test
  void anAcknowledgmentNoReceiverCouldSendDoesNotOpenTheWindow() {
    handshake();
    byte[] stream = memory(100 * MSS);
    send(CLIENT_ISN + 1, Arrays.copyOf(stream, 10 * MSS));
    int next = CLIENT_ISN + 1 + 10 * MSS;
    // forged: the receiver acknowledges 2 GiB it was never sent (more than the largest window),
    // which taken at its word puts every sequence number in the window; then a forged TLS record
    // 2 GiB ahead, which the tracker would take with a gap and find the real stream behind it
    offer(false, ACK, SERVER_ISN + 1, next + (1 << 31) - 1024, new byte[0], 0);
    data(next + (1 << 31) - 4096, forgedTlsRecord());
    send(next, Arrays.copyOfRange(stream, 10 * MSS, 100 * MSS));
    FlowRecord r = finalRecord();
    assertThat(r.stream()).isEqualTo(new StreamEvidence(false, 1, 0, 0, 0));
    assertThat(r.payload().signature()).isEqualTo(Signature.NONE);
    assertThat(r.payload().sampledBytes()).isEqualTo(100 * MSS);
    assertThat(r.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
  }

  @Test
  void aForgedStreamThatLeadsTheTrackerAwayCannotHideTheRealOne() {
    handshake();
    byte[] stream = memory(600 * MSS);
    int forged = CLIENT_ISN + 1 + (1 << 31); // far outside the window
    Random random = new Random(9);
    for (int i = 0; i < 600; i++) {
      // four forged segments in a row first (the tracker takes them for the stream it lost), then
      // one before every third real segment, never four real ones in a row
      for (int k = 0; k < (i == 0 ? TcpStream.RUN_TO_RESYNC : i % 3 == 0 ? 1 : 0); k++) {
        byte[] decoy = new byte[MSS];
        random.nextBytes(decoy);
        data(forged, decoy);
        forged += MSS;
      }
      // and a forged acknowledgment of the forged stream from the receiver before each real one
      offer(false, ACK, SERVER_ISN + 1, forged, new byte[0], 0);
      data(CLIENT_ISN + 1 + i * MSS, Arrays.copyOfRange(stream, i * MSS, (i + 1) * MSS));
    }
    FlowRecord r = finalRecord();
    assertThat(r.stream().outOfWindowSegments()).isGreaterThan(500);
    assertThat(r.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(r.payload().reason()).contains("the stream did not take");
  }

  @Test
  void aForgedResetDoesNotHideTheDataAfterIt() {
    handshake();
    byte[] stream = memory(100 * MSS);
    send(CLIENT_ISN + 1, Arrays.copyOf(stream, 10 * MSS));
    // in window, at the stream's next byte: the tracker ends the flow; the receiver, seeing a wrong
    // checksum, does not, and the plaintext goes on
    offer(true, RST | ACK, CLIENT_ISN + 1 + 10 * MSS, SERVER_ISN + 1, new byte[0], 0);
    send(CLIENT_ISN + 1 + 10 * MSS, Arrays.copyOfRange(stream, 10 * MSS, 100 * MSS));
    table.flush(EndReason.END_OF_CAPTURE);
    List<FlowRecord> finals = records.stream().filter(FlowRecord::last).toList();
    assertThat(finals).hasSize(2);
    assertThat(finals.get(0).endReason()).isEqualTo("rst");
    FlowRecord after = finals.get(1);
    assertThat(after.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(after.midStream()).as("the stream goes on where it was").isFalse();
    assertThat(after.payload().sampledBytes())
        .as("the connection's sample, taken over")
        .isEqualTo(100 * MSS);
    assertThat(after.srcToDst().payloadBytes()).as("its own bytes").isEqualTo(90 * MSS);
    assertThat(after.stream().continues()).isEqualTo(finals.get(0).flowId());
    assertThat(table.continuedFlows()).isEqualTo(1);
  }

  @Test
  void forgedFinsFromBothSidesDoNotHideTheDataAfterThem() {
    handshake();
    byte[] stream = memory(100 * MSS);
    send(CLIENT_ISN + 1, Arrays.copyOf(stream, 10 * MSS));
    // both sides' FINs, in window, forged: the tracker sees the connection closed, the hosts do not
    offer(true, FIN | ACK, CLIENT_ISN + 1 + 10 * MSS, SERVER_ISN + 1, new byte[0], 0);
    offer(false, FIN | ACK, SERVER_ISN + 1, CLIENT_ISN + 2 + 10 * MSS, new byte[0], 0);
    send(CLIENT_ISN + 1 + 10 * MSS, Arrays.copyOfRange(stream, 10 * MSS, 100 * MSS));
    table.flush(EndReason.END_OF_CAPTURE);
    List<FlowRecord> finals = records.stream().filter(FlowRecord::last).toList();
    assertThat(finals).hasSize(2);
    assertThat(finals.get(0).endReason()).isEqualTo("fin");
    assertThat(finals.get(1).payload().sampledBytes()).isEqualTo(100 * MSS);
    assertThat(finals.get(1).payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(table.continuedFlows()).isEqualTo(1);
  }

  @Test
  void aForgedResetBeforeTheFirstDataDoesNotHideIt() {
    handshake();
    offer(true, RST | ACK, CLIENT_ISN + 1, SERVER_ISN + 1, new byte[0], 0);
    send(CLIENT_ISN + 1, memory(100 * MSS));
    table.flush(EndReason.END_OF_CAPTURE);
    FlowRecord last = records.get(records.size() - 1);
    assertThat(last.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(table.continuedFlows()).isEqualTo(1);
  }

  @Test
  void forgedResetsAndOpenersCannotSplitAStreamIntoFlowsTooShortToJudge() {
    handshake();
    byte[] stream = memory(200 * MSS);
    Random random = new Random(4);
    for (int i = 0; i < 200; i++) {
      int seq = CLIENT_ISN + 1 + i * MSS;
      reset(seq); // forged: ends the flow
      byte[] opener = randomSegment(random);
      data(seq, opener); // forged: would start a fresh flow with random bytes
      data(seq, Arrays.copyOfRange(stream, i * MSS, (i + 1) * MSS));
    }
    table.flush(EndReason.END_OF_CAPTURE);
    FlowRecord last = records.get(records.size() - 1);
    assertThat(last.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(last.payload().reason()).contains("the stream did not take");
  }

  @Test
  void forgedResetsAndSynsCannotSplitAStreamIntoConnectionsTooShortToJudge() {
    handshake();
    byte[] stream = memory(200 * MSS);
    Random random = new Random(5);
    int forgedSeq = 0;
    for (int i = 0; i < 200; i++) {
      int seq = CLIENT_ISN + 1 + i * MSS;
      if (i % 16 == 0) {
        // forged, every 16 segments: a RST that ends the flow, then a SYN that opens a new
        // connection on the same ports, far from the real stream
        reset(seq);
        forgedSeq = seq + (1 << 31) + random.nextInt(1 << 20);
        syn(forgedSeq++);
      }
      byte[] decoy = randomSegment(random);
      data(forgedSeq, decoy); // forged: random bytes in the new connection's window
      forgedSeq += MSS;
      data(seq, Arrays.copyOfRange(stream, i * MSS, (i + 1) * MSS));
    }
    table.flush(EndReason.END_OF_CAPTURE);
    FlowRecord last = records.get(records.size() - 1);
    assertThat(last.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(last.srcToDst().payloadBytes())
        .as("its own bytes, forged and real")
        .isEqualTo(16L * MSS);
    assertThat(last.payload().sampledBytes())
        .as("the connection's sample, full")
        .isEqualTo(256 * 1024);
    assertThat(table.continuedFlows()).isEqualTo(13);
    List<FlowRecord> finals = records.stream().filter(FlowRecord::last).toList();
    assertThat(finals).hasSize(14);
    assertThat(finals.subList(1, 14))
        .as("one connection: every flow after the first names it")
        .allSatisfy(r -> assertThat(r.stream().continues()).isEqualTo(finals.get(0).flowId()));
    assertThat(finals.get(0).stream()).isNull();
  }

  @Test
  void forgedSynsOnTheStreamsOwnSequenceNumbersCannotMakeItsSegmentsRetransmissions() {
    handshake();
    byte[] stream = memory(200 * MSS);
    Random random = new Random(8);
    for (int i = 0; i < 200; i++) {
      int seq = CLIENT_ISN + 1 + i * MSS;
      if (i % 16 == 0) {
        // forged: a RST, then a SYN whose sequence numbers are the real stream's own
        reset(seq);
        syn(seq - 1);
      }
      byte[] copy = randomSegment(random);
      data(seq, copy); // forged: a random copy first, so the real segment comes as a retransmission
      data(seq, Arrays.copyOfRange(stream, i * MSS, (i + 1) * MSS));
    }
    table.flush(EndReason.END_OF_CAPTURE);
    FlowRecord last = records.get(records.size() - 1);
    // the forged copies are taken first, so the stream is mostly random bytes: not encrypted
    // either way, and an UNENCRYPTED_MIGRATION
    assertThat(last.payload().verdict()).isIn(Verdict.PLAINTEXT, Verdict.COMPRESSED);
    assertThat(last.stream().continues()).isNotNull();
    assertThat(table.continuedFlows()).isEqualTo(13);
  }

  @Test
  void severalForgedResetsAndSynsInARowDoNotLoseTheStream() {
    FlowRecord last = streamBehindForgedPairs(ReopenedFlows.MAX_FOLLOWED - 1, 7);
    assertThat(last.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(last.payload().sampledBytes()).isEqualTo(256 * 1024);
    assertThat(table.continuedFlows()).isEqualTo(13);
  }

  @Test
  void aBurstOfForgedResetsAndSynsLongerThanTheClosedFlowsKeptDoesNotLoseTheStream() {
    FlowRecord last = streamBehindForgedPairs(3 * ReopenedFlows.MAX_FOLLOWED, 9);
    assertThat(last.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(last.payload().sampledBytes()).isEqualTo(256 * 1024);
    assertThat(last.stream().continues())
        .as("the connection the handshake began")
        .isEqualTo(records.get(0).flowId());
    assertThat(table.continuedFlows()).isEqualTo(13);
  }

  @Test
  void aForgedConnectionThatTookTheStreamIsNotLetGoForLighterOnesInABurst() {
    handshake();
    int segments = 3200; // over 4 MiB: the handshake's flow cannot place the stream any more
    byte[] stream = memory(segments * MSS);
    Random random = new Random(10);
    // forged, before the first data: a RST and a SYN a little behind the stream's next byte, so
    // the new flow takes the real stream as its own, after a gap
    reset(CLIENT_ISN + 1);
    syn(CLIENT_ISN - 100);
    for (int i = 0; i < segments; i++) {
      int seq = CLIENT_ISN + 1 + i * MSS;
      if (i == 3000 || i == 3100) {
        // then bursts of forged pairs far from it, each connection with one random segment: the
        // flow that carries the stream is neither the newest closed flow nor the oldest
        forgedPairs(seq, 2 * ReopenedFlows.MAX_FOLLOWED, random);
      }
      data(seq, Arrays.copyOfRange(stream, i * MSS, (i + 1) * MSS));
    }
    table.flush(EndReason.END_OF_CAPTURE);
    List<FlowRecord> finals = records.stream().filter(FlowRecord::last).toList();
    FlowRecord carrier = finals.get(1);
    assertThat(carrier.srcToDst().payloadBytes()).isEqualTo(3000L * MSS);
    FlowRecord last = finals.get(finals.size() - 1);
    assertThat(last.stream().continues()).isEqualTo(carrier.flowId());
    assertThat(last.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(table.continuedFlows()).isEqualTo(2);
  }

  @Test
  void forgedSynsJustBeforeTheStreamsNextByteGoOnTheConnection() {
    handshake();
    byte[] stream = memory(200 * MSS);
    for (int i = 0; i < 200; i++) {
      int seq = CLIENT_ISN + 1 + i * MSS;
      if (i % 4 == 0) {
        // forged: a RST, then a SYN whose next byte is the stream's, no forged data at all: each
        // "new connection" would carry four real segments as its own
        reset(seq);
        syn(seq - 1);
      }
      data(seq, Arrays.copyOfRange(stream, i * MSS, (i + 1) * MSS));
    }
    table.flush(EndReason.END_OF_CAPTURE);
    List<FlowRecord> finals = records.stream().filter(FlowRecord::last).toList();
    assertThat(finals).hasSize(51);
    assertThat(finals.subList(1, 51))
        .as("one connection: every flow after the first names it")
        .allSatisfy(r -> assertThat(r.stream().continues()).isEqualTo(finals.get(0).flowId()));
    FlowRecord last = finals.get(50);
    assertThat(last.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(last.payload().sampledBytes())
        .as("judged with all the connection carried")
        .isEqualTo(256 * 1024);
    assertThat(last.stream().retransmittedSegments()).isZero();
    assertThat(table.continuedFlows()).isEqualTo(50);
  }

  @Test
  void aSynSentAgainAfterAResetGoesOnTheConnection() {
    handshake();
    reset(CLIENT_ISN + 1);
    // the client's SYN again, same initial sequence number: the connection the handshake began
    offer(true, SYN, CLIENT_ISN, 0, new byte[0], 0);
    send(CLIENT_ISN + 1, memory(20 * MSS));
    FlowRecord r = finalRecord();
    assertThat(r.stream().continues()).isEqualTo(records.get(0).flowId());
    assertThat(table.continuedFlows()).isEqualTo(1);
  }

  @Test
  void aForgedSynFromTheServerAfterAForgedResetDoesNotMakeItTheClient() {
    handshake();
    reset(CLIENT_ISN + 1);
    // forged: a SYN from the server's listening port to the client's, so that the migration would
    // be a "download" to the server on no catalog port
    offer(false, SYN, 0x5EED, 0, new byte[0], 0);
    send(CLIENT_ISN + 1, memory(100 * MSS));
    FlowRecord r = finalRecord();
    assertThat(r.src()).isEqualTo("10.0.0.11");
    assertThat(r.dstPort()).isEqualTo(8000);
    assertThat(r.protocol()).isEqualTo("vmotion");
    assertThat(r.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(r.stream().continues()).isEqualTo(records.get(0).flowId());
  }

  @Test
  void aNewConnectionOnTheSamePortsAfterARealCloseIsJudgedOnItsOwn() {
    handshake();
    send(CLIENT_ISN + 1, memory(20 * MSS));
    int end = CLIENT_ISN + 1 + 20 * MSS;
    offer(true, FIN | ACK, end, SERVER_ISN + 1, new byte[0], 0);
    offer(false, FIN | ACK, SERVER_ISN + 1, end + 1, new byte[0], 0);
    // the port reused at once, its initial sequence number above the old stream's end (RFC 6191):
    // its data lies where the old stream would have gone on, and in the new connection's window
    int isn = end + 1000;
    offer(true, SYN, isn, 0, new byte[0], 0);
    offer(false, SYN | ACK, SERVER_ISN + 5000, isn + 1, new byte[0], 0);
    byte[] encrypted = uniform(100 * MSS, 6);
    for (int off = 0; off < encrypted.length; off += MSS) {
      offer(
          true,
          ACK | PSH,
          isn + 1 + off,
          SERVER_ISN + 5001,
          Arrays.copyOfRange(encrypted, off, off + MSS),
          MSS);
    }
    // and a real retransmission of its first segment: sent again, where the old stream would go on
    offer(true, ACK | PSH, isn + 1, SERVER_ISN + 5001, Arrays.copyOf(encrypted, MSS), MSS);
    FlowRecord r = finalRecord();
    assertThat(r.payload().verdict()).isEqualTo(Verdict.ENCRYPTED);
    assertThat(r.payload().sampledBytes()).isEqualTo(100 * MSS);
    assertThat(r.stream().continues()).as("a connection of its own").isNull();
    assertThat(r.stream().retransmittedSegments()).isEqualTo(1);
    assertThat(table.continuedFlows()).isZero();
  }

  @Test
  void trailingAcksAndRetransmissionsAfterARealCloseStayWithTheEndedFlow() {
    handshake();
    byte[] stream = memory(20 * MSS);
    send(CLIENT_ISN + 1, stream);
    offer(false, RST | ACK, SERVER_ISN + 1, CLIENT_ISN + 1 + 20 * MSS, new byte[0], 0);
    data(CLIENT_ISN + 1 + 19 * MSS, Arrays.copyOfRange(stream, 19 * MSS, 20 * MSS));
    offer(true, ACK, CLIENT_ISN + 1 + 20 * MSS, SERVER_ISN + 1, new byte[0], 0);
    table.flush(EndReason.END_OF_CAPTURE);
    assertThat(records).filteredOn(FlowRecord::last).hasSize(1);
    assertThat(table.continuedFlows()).isZero();
  }

  @Test
  void copiesOfAnEncryptedStreamLeaveItEncrypted() {
    handshake();
    byte[] stream = uniform(200 * MSS, 5);
    for (int off = 0; off < stream.length; off += MSS) {
      byte[] segment = Arrays.copyOfRange(stream, off, off + MSS);
      data(CLIENT_ISN + 1 + off, segment);
      data(CLIENT_ISN + 1 + off, segment); // a mirror that delivers every frame twice
    }
    FlowRecord r = finalRecord();
    assertThat(r.stream().retransmittedSegments()).isEqualTo(200);
    assertThat(r.payload().verdict()).isEqualTo(Verdict.ENCRYPTED);
    assertThat(r.payload().reason()).doesNotContain("did not take");
  }
}
