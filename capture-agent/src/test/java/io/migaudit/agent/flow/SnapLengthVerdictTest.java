package io.migaudit.agent.flow;

import static io.migaudit.agent.flow.Packets.ACK;
import static io.migaudit.agent.flow.Packets.FIN;
import static io.migaudit.agent.flow.Packets.PSH;
import static io.migaudit.agent.flow.Packets.SYN;
import static io.migaudit.agent.flow.Packets.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.classify.PageStreams;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.Verdict;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Captures whose snap length cut the segments (tcpdump -s 200, a mirror session's packet length):
 * each segment shows only its first bytes. Every message's header then starts a captured part, so
 * headers weigh many times their share, and framings cannot be followed across what is missing. The
 * verdict must not turn such a capture of an encrypted stream into a "compressed" alarm, nor a
 * framing over too few judged bytes into "encrypted".
 */
class SnapLengthVerdictTest {
  private static final int SEGMENT = 1448;

  /** Payload bytes a 200-byte snap length leaves of a TCP/IPv4 segment over Ethernet. */
  private static final int SNAP_200_PAYLOAD = 200 - 14 - 20 - 20;

  private static final long T0 = 1_700_000_000_000_000L;

  @Test
  void ciphertextWhoseMessageHeadersStartSegmentsStillLooksEncrypted() {
    List<byte[]> messages = new ArrayList<>();
    // SMB2 NEGOTIATE in clear, as every SMB session starts: its reader loses its place at the cut
    byte[] negotiate = new byte[4 + 64 + 200];
    ByteBuffer.wrap(negotiate).putInt(negotiate.length - 4).putInt(0xFE534D42).putShort((short) 64);
    byte[] text =
        "dialects 0x0311 0x0302 0x0300; signing AES-GMAC; encryption AES-256-GCM"
            .getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(text, 0, negotiate, 4 + 64 + 16, text.length);
    messages.add(negotiate);
    Random random = new Random(7);
    for (int i = 0; i < 200; i++) {
      byte[] m = new byte[56 + (16 << 10)];
      random.nextBytes(m);
      // a clear header at the start of each message, shaped as SMB3's transform header: a length,
      // the protocol id, a signature and nonce (random), the original size, flags, a session id
      ByteBuffer.wrap(m).putInt(m.length - 4).putInt(0xFD534D42);
      ByteBuffer.wrap(m, 40, 16).putInt(16 << 10).putShort((short) 0).putShort((short) 1);
      ByteBuffer.wrap(m, 48, 8).putLong(0x0000_4400_0000_0091L);
      messages.add(m);
    }

    FlowRecord whole = last(send(6600, messages, Integer.MAX_VALUE));
    FlowRecord cut = last(send(6600, messages, SNAP_200_PAYLOAD));

    assertThat(whole.payload().verdict()).isEqualTo(Verdict.ENCRYPTED);
    assertThat(cut.stream().cutSegments()).isEqualTo(1 + 200L * 12);
    assertThat(cut.payload().verdict())
        .as("headers at segment starts are left out of the sample: %s", cut.payload().reason())
        .isEqualTo(Verdict.ENCRYPTED);
  }

  @Test
  void compressedPagesCutByTheSnapLengthStayCompressed() {
    byte[] pages = PageStreams.rawDeflate(PageStreams.memoryLike(24 << 20, 3), 1);
    FlowRecord cut = last(send(6600, List.of(pages), SNAP_200_PAYLOAD));

    assertThat(cut.stream().cutSegments()).isPositive();
    assertThat(cut.payload().verdict()).isEqualTo(Verdict.COMPRESSED);
  }

  @Test
  void aTlsStreamCutTooShortToJudgeItsBodiesIsUnknownNotEncrypted() {
    // NULL-cipher records: the bodies are the pages in clear
    byte[] pages = PageStreams.memoryLike(6 * 1443, 5);
    List<byte[]> records = new ArrayList<>();
    records.add(tlsRecord(0x16, "server hello and certificate, in clear".repeat(8).getBytes()));
    for (int at = 0; at < pages.length; at += 1443) {
      byte[] body = new byte[1443];
      System.arraycopy(pages, at, body, 0, body.length);
      records.add(tlsRecord(0x17, body));
    }

    FlowRecord whole = last(send(8000, records, Integer.MAX_VALUE));
    FlowRecord cut = last(send(8000, records, SNAP_200_PAYLOAD));

    assertThat(whole.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(cut.payload().verdict()).as("%s", cut.payload().reason()).isEqualTo(Verdict.UNKNOWN);
    assertThat(cut.payload().reason())
        .startsWith("tls framing held")
        .contains("too few to judge")
        .contains("snap length");
  }

  @Test
  void anSshSessionCutShortIsUnknownThenEncryptedOnceItsContentSuffices() {
    FlowRecord shortSession = last(send(22, sshSession(20), SNAP_200_PAYLOAD));
    FlowRecord longSession = last(send(22, sshSession(400), SNAP_200_PAYLOAD));

    assertThat(shortSession.payload().verdict())
        .as("%s", shortSession.payload().reason())
        .isEqualTo(Verdict.UNKNOWN);
    assertThat(shortSession.payload().reason())
        .startsWith(
            "ssh framing could not be followed (bytes of the ssh key exchange were not seen")
        .contains("snap length");
    assertThat(longSession.payload().verdict())
        .as("%s", longSession.payload().reason())
        .isEqualTo(Verdict.ENCRYPTED);
  }

  @Test
  void uniformBytesOfACutCaptureTooFewToTellFromCompressedAreUnknown() {
    byte[] uniform = new byte[100 * SEGMENT]; // cut at 200 bytes: 100 x 82 sampled, 8 KiB
    new Random(9).nextBytes(uniform);
    FlowRecord whole = last(send(8000, List.of(uniform), Integer.MAX_VALUE));
    FlowRecord cut = last(send(8000, List.of(uniform), SNAP_200_PAYLOAD));

    assertThat(whole.payload().verdict()).isEqualTo(Verdict.ENCRYPTED);
    assertThat(cut.payload().sampledBytes()).isBetween(1024L, 16383L);
    assertThat(cut.payload().verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(cut.payload().reason())
        .startsWith("uniform-looking bytes")
        .contains("cut by the snap length");
  }

  @Test
  void aDatagramCutByTheSnapLengthIsCountedInTheRecord() {
    List<FlowRecord> records = new ArrayList<>();
    FlowTable table = CollectingTables.agentDefaults(records);
    DecodedPacket request = Packets.udp(T0, 21, 42325, 2, 88, new byte[1200], 100);
    table.offer(request);
    table.flush(EndReason.END_OF_CAPTURE);

    FlowRecord r = last(records);
    assertThat(r.transport()).isEqualTo("udp");
    assertThat(r.stream()).isNotNull();
    assertThat(r.stream().cutSegments()).isEqualTo(1);
    assertThat(r.stream().midStream()).isFalse();
  }

  @Test
  void espCutTooShortToJudgeItsBodiesIsUnknownNotEncrypted() {
    // 200 packets of 1400 bytes: SPI, sequence number, then ciphertext; cut at 96 bytes a frame,
    // 62 bytes of ESP remain, 46 past SPI, sequence number and IV: 9 KiB of bodies
    FlowRecord whole = last(espFlow(Integer.MAX_VALUE));
    FlowRecord cut = last(espFlow(96 - 14 - 20));

    assertThat(whole.payload().verdict()).isEqualTo(Verdict.ENCRYPTED);
    assertThat(whole.stream()).isNull();
    assertThat(cut.stream().cutSegments()).isEqualTo(200);
    assertThat(cut.payload().sampledBytes()).isEqualTo(200L * 46);
    assertThat(cut.payload().verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(cut.payload().reason()).contains("esp framing").contains("snap length");
  }

  @Test
  void espCutButSampledEnoughIsEncrypted() {
    FlowRecord cut = last(espFlow(200 - 14 - 20)); // 150 body bytes a packet: 29 KiB

    assertThat(cut.stream().cutSegments()).isEqualTo(200);
    assertThat(cut.payload().verdict()).isEqualTo(Verdict.ENCRYPTED);
  }

  /** ESP from 10.0.0.11 to 10.0.0.12 whose capture holds {@code captured} bytes of each packet. */
  private static List<FlowRecord> espFlow(int captured) {
    List<FlowRecord> records = new ArrayList<>();
    FlowTable table = CollectingTables.agentDefaults(records);
    Random random = new Random(11);
    for (int i = 0; i < 200; i++) {
      byte[] packet = new byte[1400];
      random.nextBytes(packet);
      ByteBuffer.wrap(packet).putInt(0x4D410001).putInt(i + 1);
      table.offer(Packets.esp(T0 + i * 10L, 11, 12, packet, captured));
    }
    table.flush(EndReason.END_OF_CAPTURE);
    return records;
  }

  /**
   * One TCP connection from 10.0.0.11 to 10.0.0.12:{@code port}, each message from a new segment.
   */
  private static List<FlowRecord> send(int port, List<byte[]> messages, int capturedPayload) {
    List<FlowRecord> records = new ArrayList<>();
    FlowTable table = CollectingTables.agentDefaults(records);
    int client = 40000 + Math.floorMod(messages.hashCode() ^ capturedPayload, 20000);
    long t = T0;
    table.offer(tcp(t, 11, client, 12, port, SYN, 0));
    table.offer(tcp(t + 100, 12, port, 11, client, SYN | ACK, 0));
    table.offer(tcp(t + 200, 11, client, 12, port, ACK, 0));
    for (byte[] m : messages) {
      for (int at = 0; at < m.length; at += SEGMENT) {
        t += 10;
        DecodedPacket p =
            tcp(t, 11, client, 12, port, ACK | PSH, m, at, Math.min(SEGMENT, m.length - at));
        p.payloadCapturedLength = Math.min(p.payloadWireLength, capturedPayload);
        table.offer(p);
      }
    }
    table.offer(tcp(t + 100, 11, client, 12, port, FIN | ACK, 0));
    table.offer(tcp(t + 200, 12, port, 11, client, FIN | ACK, 0));
    return records;
  }

  private static FlowRecord last(List<FlowRecord> records) {
    FlowRecord r = records.get(records.size() - 1);
    assertThat(r.last()).isTrue();
    return r;
  }

  private static byte[] tlsRecord(int type, byte[] body) {
    ByteBuffer b = ByteBuffer.allocate(5 + body.length);
    b.put((byte) type).put((byte) 3).put((byte) 3).putShort((short) body.length).put(body);
    return b.array();
  }

  /**
   * An SSH client's direction: its banner and KEXINIT in clear, NEWKEYS, then {@code segments} full
   * segments of ciphertext.
   */
  private static List<byte[]> sshSession(int segments) {
    ByteArrayOutputStream kex = new ByteArrayOutputStream();
    kex.writeBytes("SSH-2.0-OpenSSH_9.6p1 Debian-4\r\n".getBytes(StandardCharsets.US_ASCII));
    String lists =
        "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,"
            + "diffie-hellman-group-exchange-sha256,ext-info-c,kex-strict-c-v00@openssh.com;"
            + "ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256;"
            + "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,"
            + "aes128-gcm@openssh.com,aes256-gcm@openssh.com;umac-64-etm@openssh.com,"
            + "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com;none,zlib@openssh.com";
    byte[] kexinit = new byte[17 + lists.length() * 2];
    kexinit[0] = 20; // SSH_MSG_KEXINIT
    byte[] text = (lists + lists).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(text, 0, kexinit, 17, text.length);
    kex.writeBytes(sshPacket(kexinit));
    kex.writeBytes(sshPacket(new byte[] {21})); // SSH_MSG_NEWKEYS
    byte[] cipher = new byte[segments * SEGMENT];
    new Random(segments).nextBytes(cipher);
    return List.of(kex.toByteArray(), cipher);
  }

  private static byte[] sshPacket(byte[] payload) {
    int padding = 8 - (5 + payload.length) % 8;
    if (padding < 4) {
      padding += 8;
    }
    ByteBuffer b = ByteBuffer.allocate(5 + payload.length + padding);
    b.putInt(1 + payload.length + padding).put((byte) padding).put(payload);
    return b.array();
  }
}
