package io.migaudit.agent.handshake;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.flow.FlowTable;
import io.migaudit.agent.flow.FlowTableConfig;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.HopLimits;
import io.migaudit.record.PortCatalog;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The flow table hands the handshake reader what the receiver takes: a forged handshake outside the
 * window says nothing, a retransmitted segment is read once, and TTLs are kept per direction.
 */
class StreamOrderHandshakeTest {
  private static final int CLIENT_ISN = 5_000;
  private static final int SERVER_ISN = 700_000;
  private static final int SYN = 0x02;
  private static final int ACK = 0x10;
  private static final int PSH = 0x08;

  private final List<FlowRecord> records = new ArrayList<>();
  private final FlowTable table =
      new FlowTable(
          new FlowTableConfig(100, Duration.ofHours(1), Duration.ofHours(1), Duration.ofSeconds(2)),
          PortCatalog.builtIn(),
          "t",
          "eth0",
          records::add,
          64 * 1024,
          1500);
  private long clock = 1_700_000_000_000_000L;

  private void offer(boolean fromClient, int flags, int seq, int ack, byte[] payload, int ttl) {
    DecodedPacket p = new DecodedPacket();
    p.reset();
    p.timestampMicros = clock += 10;
    p.ipVersion = 4;
    p.ipProtocol = 6;
    p.ttl = ttl;
    p.srcLo = fromClient ? 0xC0A8320BL : 0xC0A8320CL;
    p.dstLo = fromClient ? 0xC0A8320CL : 0xC0A8320BL;
    p.srcPort = fromClient ? 41011 : 8000;
    p.dstPort = fromClient ? 8000 : 41011;
    p.tcpFlags = flags;
    p.tcpSeq = seq;
    p.tcpAck = ack;
    p.tcpWindow = 65535;
    p.tcpWindowScale = (flags & SYN) != 0 ? 7 : DecodedPacket.NO_WINDOW_SCALE;
    p.ipLength = 40 + payload.length;
    p.frame = ByteBuffer.wrap(payload);
    p.payloadCapturedLength = payload.length;
    p.payloadWireLength = payload.length;
    table.offer(p);
  }

  private void connect() {
    offer(true, SYN, CLIENT_ISN, 0, new byte[0], 63);
    offer(false, SYN | ACK, SERVER_ISN, CLIENT_ISN + 1, new byte[0], 64);
    offer(true, ACK, CLIENT_ISN + 1, SERVER_ISN + 1, new byte[0], 63);
  }

  private FlowRecord finalRecord() {
    table.flush(EndReason.END_OF_CAPTURE);
    return records.get(records.size() - 1);
  }

  private static byte[] clientHello() {
    return TlsBytes.handshakeRecord(
        TlsBytes.clientHello(0x0303, TlsBytes.supportedVersions(0x0304, 0x0303)));
  }

  @Test
  void aForgedWeakHelloOutsideTheWindowSaysNothing() {
    connect();
    byte[] forged = TlsBytes.handshakeRecord(TlsBytes.clientHello(0x0300, null));
    offer(true, ACK | PSH, CLIENT_ISN + 1 + (1 << 30), SERVER_ISN + 1, forged, 63);
    byte[] plain = new byte[4000];
    Arrays.fill(plain, (byte) 'a');
    offer(true, ACK | PSH, CLIENT_ISN + 1, SERVER_ISN + 1, plain, 63);
    assertThat(finalRecord().handshake()).isNull();
  }

  @Test
  void theRealHandshakeIsReadOnceAcrossSegmentsAndRetransmissions() {
    connect();
    byte[] hello = clientHello();
    offer(true, ACK | PSH, CLIENT_ISN + 1, SERVER_ISN + 1, hello, 63);
    byte[] flight =
        TlsBytes.handshakeRecord(
            TlsBytes.concat(
                TlsBytes.serverHello(0x0303, 0x009C, null),
                TlsBytes.certificate(TlsBytes.resource("self-signed-rsa2048.der")),
                TlsBytes.message(14, new byte[0])));
    byte[] first = Arrays.copyOfRange(flight, 0, 300);
    byte[] rest = Arrays.copyOfRange(flight, 300, flight.length);
    offer(false, ACK | PSH, SERVER_ISN + 1, CLIENT_ISN + 1 + hello.length, first, 64);
    offer(
        false,
        ACK | PSH,
        SERVER_ISN + 1,
        CLIENT_ISN + 1 + hello.length,
        first,
        64); // retransmitted
    offer(false, ACK | PSH, SERVER_ISN + 301, CLIENT_ISN + 1 + hello.length, rest, 64);
    FlowRecord r = finalRecord();
    assertThat(r.handshake().tls().offeredVersions()).containsExactly("TLS 1.3", "TLS 1.2");
    assertThat(r.handshake().tls().cipherSuite()).isEqualTo("TLS_RSA_WITH_AES_128_GCM_SHA256");
    assertThat(r.handshake().tls().certificate().keyBits()).isEqualTo(2048);
    assertThat(r.ttl())
        .isEqualTo(new HopLimits(new HopLimits.Range(63, 63), new HopLimits.Range(64, 64)));
  }

  @Test
  void aGapEndsTheReadingOfItsDirection() {
    connect();
    byte[] hello = clientHello();
    offer(true, ACK | PSH, CLIENT_ISN + 1, SERVER_ISN + 1, Arrays.copyOfRange(hello, 0, 10), 63);
    offer(
        true,
        ACK | PSH,
        CLIENT_ISN + 21,
        SERVER_ISN + 1,
        Arrays.copyOfRange(hello, 20, hello.length),
        63);
    assertThat(finalRecord().handshake()).isNull(); // bytes 10-19 never seen: nothing is spliced
  }
}
