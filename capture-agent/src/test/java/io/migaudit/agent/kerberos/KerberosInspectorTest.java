package io.migaudit.agent.kerberos;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.record.KerberosActivity;
import io.migaudit.record.KerberosRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The inspector on real TGS-REQ messages (made by MIT krb5 {@code kvno} against a real KDC, see
 * {@code tools/samples/make-kerberos-samples.sh}) and on the ways a stream can go wrong.
 */
class KerberosInspectorTest {
  static final int TCP = 6;
  static final int UDP = 17;
  static final KerberosRequest MIGRATION =
      new KerberosRequest(
          "TGS-REQ",
          "Microsoft Virtual System Migration Service/hv-02.corp.example",
          "CORP.EXAMPLE");
  static final KerberosRequest CIFS =
      new KerberosRequest("TGS-REQ", "cifs/hv-02.corp.example", "CORP.EXAMPLE");

  static byte[] fixture(String name) throws IOException {
    try (InputStream in = KerberosInspectorTest.class.getResourceAsStream("/kerberos/" + name)) {
      return in.readAllBytes();
    }
  }

  /** Feeds {@code bytes} in segments of {@code segment} bytes, each at a non-zero frame offset. */
  static KerberosActivity inspect(int ipProtocol, byte[] bytes, int segment) {
    KerberosInspector k = KerberosInspector.forFlow(ipProtocol, 88);
    for (int at = 0; at < bytes.length; at += segment) {
      int n = Math.min(segment, bytes.length - at);
      ByteBuffer frame = ByteBuffer.allocate(n + 54);
      frame.position(54);
      frame.put(bytes, at, n);
      k.add(frame, 54, n, n);
    }
    return k.activity();
  }

  @Test
  void readsTheServiceOfARealTcpTgsRequest() throws IOException {
    assertThat(inspect(TCP, fixture("tgs-req-tcp.bin"), 1460).requests())
        .containsExactly(MIGRATION);
  }

  @Test
  void readsTheServiceOfARealUdpTgsRequest() throws IOException {
    byte[] datagram = fixture("tgs-req-udp.bin");
    assertThat(inspect(UDP, datagram, datagram.length).requests()).containsExactly(CIFS);
  }

  /** A KDC reply's first bytes: over TCP a 4-byte length, then the tag of the KDC-REP. */
  private static ByteBuffer reply(int... bytes) {
    ByteBuffer frame = ByteBuffer.allocate(54 + bytes.length);
    frame.position(54);
    for (int b : bytes) {
      frame.put((byte) b);
    }
    return frame;
  }

  @Test
  void countsTheKdcsTicketGrantingRepliesNotItsErrorsOrAsReplies() throws IOException {
    byte[] datagram = fixture("tgs-req-udp.bin");
    KerberosInspector udp = KerberosInspector.forFlow(UDP, 88);
    ByteBuffer request = ByteBuffer.allocate(54 + datagram.length).position(54).put(datagram);
    udp.add(request, 54, datagram.length, datagram.length);
    assertThat(udp.activity().replied()).as("no reply yet").isFalse();
    udp.addReply(reply(0x7e, 0x81), 54, 2); // KRB-ERROR [APPLICATION 30]
    udp.addReply(reply(0x6b, 0x81), 54, 2); // AS-REP [APPLICATION 11]
    assertThat(udp.activity().replied()).isFalse();
    udp.addReply(reply(0x6d, 0x82), 54, 2); // TGS-REP [APPLICATION 13]
    assertThat(udp.activity().replies()).isEqualTo(1);

    byte[] tcpRequest = fixture("tgs-req-tcp.bin");
    KerberosInspector tcp = KerberosInspector.forFlow(TCP, 88);
    ByteBuffer frame = ByteBuffer.allocate(54 + tcpRequest.length).position(54).put(tcpRequest);
    tcp.add(frame, 54, tcpRequest.length, tcpRequest.length);
    tcp.addReply(reply(0, 0), 54, 2); // the length prefix across two segments
    tcp.addReply(reply(0, 0x40, 0x6d, 0x82), 54, 4);
    assertThat(tcp.activity().replies()).as("TCP: the tag after the 4-byte length").isEqualTo(1);
  }

  @Test
  void tcpMessagesMaySpanSegmentsOfAnySize() throws IOException {
    byte[] tcp = fixture("tgs-req-tcp.bin");
    for (int segment : new int[] {1, 2, 3, 7, 100, 536}) {
      assertThat(inspect(TCP, tcp, segment).requests())
          .as("segments of %d", segment)
          .containsExactly(MIGRATION);
    }
  }

  @Test
  void severalMessagesOnOneConnectionAreReadInTurnAndRepeatsKeptOnce() throws IOException {
    byte[] tcp = fixture("tgs-req-tcp.bin");
    byte[] cifs = fixture("tgs-req-udp.bin");
    byte[] three = new byte[tcp.length * 2 + 4 + cifs.length];
    System.arraycopy(tcp, 0, three, 0, tcp.length);
    System.arraycopy(tcp, 0, three, tcp.length, tcp.length);
    ByteBuffer.wrap(three, tcp.length * 2, 4).putInt(cifs.length);
    System.arraycopy(cifs, 0, three, tcp.length * 2 + 4, cifs.length);
    assertThat(inspect(TCP, three, 1000).requests()).containsExactly(MIGRATION, CIFS);
  }

  @Test
  void onlyFlowsToPort88AreInspected() {
    assertThat(KerberosInspector.forFlow(TCP, 6600)).isNull();
    assertThat(KerberosInspector.forFlow(50, 88)).isNull();
    assertThat(KerberosInspector.forFlow(UDP, 88)).isNotNull();
  }

  @Test
  void aTruncatedRequestNamesNothing() throws IOException {
    byte[] tcp = fixture("tgs-req-tcp.bin");
    assertThat(inspect(TCP, Arrays.copyOf(tcp, tcp.length / 2), 100)).isNull();
    byte[] udp = fixture("tgs-req-udp.bin");
    byte[] cut = Arrays.copyOf(udp, udp.length - 1);
    assertThat(inspect(UDP, cut, cut.length)).isNull();
  }

  @Test
  void aSnaplenCutPacketIsNotRead() throws IOException {
    byte[] udp = fixture("tgs-req-udp.bin");
    KerberosInspector k = KerberosInspector.forFlow(UDP, 88);
    k.add(ByteBuffer.wrap(udp), 0, udp.length, udp.length + 10);
    assertThat(k.activity()).isNull();
    k.add(ByteBuffer.wrap(udp), 0, udp.length, udp.length);
    assertThat(k.activity().requests()).containsExactly(CIFS);
  }

  @Test
  void aLostTcpSegmentStopsTheFlowsInspection() throws IOException {
    byte[] tcp = fixture("tgs-req-tcp.bin");
    KerberosInspector k = KerberosInspector.forFlow(TCP, 88);
    k.add(ByteBuffer.wrap(tcp), 0, 100, 200);
    k.add(ByteBuffer.wrap(tcp), 0, tcp.length, tcp.length);
    assertThat(k.activity()).isNull();
  }

  @Test
  void anAsRequestIsNotATgsRequest() throws IOException {
    byte[] asReq = fixture("tgs-req-udp.bin").clone();
    asReq[0] = (byte) KdcRequestReader.TAG_AS_REQ;
    assertThat(inspect(UDP, asReq, asReq.length)).isNull();
  }

  @Test
  void aTgsRequestTagWithAnotherMessageTypeIsRejected() throws IOException {
    byte[] udp = fixture("tgs-req-udp.bin").clone();
    int msgType = indexOf(udp, new byte[] {(byte) 0xA2, 3, 2, 1, 12});
    assertThat(msgType).isPositive();
    udp[msgType + 4] = 10;
    assertThat(inspect(UDP, udp, udp.length)).isNull();
  }

  @Test
  void theReservedBitOfTheTcpLengthStopsTheInspection() throws IOException {
    byte[] tcp = fixture("tgs-req-tcp.bin").clone();
    tcp[0] |= (byte) 0x80;
    assertThat(inspect(TCP, tcp, tcp.length)).isNull();
  }

  @Test
  void anElementLongerThanItsMessageIsRejected() throws IOException {
    byte[] udp = fixture("tgs-req-udp.bin");
    byte[] longer = udp.clone();
    longer[3] =
        (byte)
            (longer[3] + 1); // outer [APPLICATION 12] length (82 xx xx) one more than the datagram
    assertThat(inspect(UDP, longer, longer.length)).isNull();
  }

  @Test
  void garbageAndEmptyInputNameNothing() {
    byte[] garbage = new byte[300];
    for (int i = 0; i < garbage.length; i++) {
      garbage[i] = (byte) (i * 31 + 7);
    }
    assertThat(inspect(TCP, garbage, 50)).isNull();
    assertThat(inspect(UDP, garbage, garbage.length)).isNull();
    assertThat(inspect(UDP, new byte[] {0x6C, (byte) 0x80, 0, 0}, 4))
        .as("indefinite length")
        .isNull();
    assertThat(inspect(UDP, new byte[] {0x7F, 0x01, 0x00}, 3)).as("multi-byte tag").isNull();
  }

  @Test
  void namesAreSanitisedAndBounded() {
    String host = "x".repeat(300);
    byte[] req = KdcRequests.tgsRequest("REALM\u0001", "cifs", host);
    KerberosActivity a = inspect(UDP, req, req.length);
    KerberosRequest r = a.requests().get(0);
    assertThat(r.realm()).isEqualTo("REALM?");
    assertThat(r.service())
        .hasSize(KerberosRequest.MAX_NAME_CHARS)
        .startsWith("cifs/xxx")
        .endsWith("...");
  }

  @Test
  void aRequestWithoutSnameNamesNothing() {
    byte[] req = KdcRequests.tgsRequest("CORP.EXAMPLE");
    assertThat(inspect(UDP, req, req.length)).isNull();
  }

  @Test
  void atMostAFewComponentsAreKept() {
    byte[] req = KdcRequests.tgsRequest("R", "a", "b", "c", "d", "e", "f");
    assertThat(inspect(UDP, req, req.length).requests().get(0).service()).isEqualTo("a/b/c/d...");
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
