package io.migaudit.agent.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.record.Signature;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Migration streams behind a request to a relay: what {@code socat PROXY:}, {@code nc -X} and
 * {@code ncat --proxy} send before the stream, segment by segment as they send it.
 */
class RelayRequestTest {
  private static final byte[] QEVM = {'Q', 'E', 'V', 'M', 0, 0, 0, 3, 7, 0, 0, 0, 0x0D};
  private static final byte[] MULTIFD = {0x11, 0x22, 0x33, 0x44, 0, 0, 0, 1};

  /** The signature of a direction that sent {@code segments}, one add each. */
  private static Signature match(byte[]... segments) {
    return SignatureMatcher.match(sample(segments));
  }

  private static PayloadSample sample(byte[]... segments) {
    PayloadSample s = new PayloadSample(64 * 1024, 1024);
    for (byte[] segment : segments) {
      s.add(ByteBuffer.wrap(segment), 0, segment.length);
    }
    return s;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  private static byte[] concat(byte[]... parts) {
    return EncryptionEvidenceTest.concat(parts);
  }

  @Test
  void httpConnectAsSocatSendsIt() {
    // socat 1.7 PROXY: the request line, then the empty line in a segment of its own, then (after
    // the relay's 200) the stream; samples/qemu-http-relay has these bytes
    assertThat(match(ascii("CONNECT 127.0.0.1:4444 HTTP/1.0\r\n"), ascii("\r\n"), QEVM))
        .isEqualTo(Signature.QEMU);
    PayloadSample s = sample(ascii("CONNECT 127.0.0.1:4444 HTTP/1.0\r\n\r\n"), QEVM);
    assertThat(s.relayRequest()).isEqualTo("an HTTP CONNECT request");
  }

  @Test
  void httpConnectWithHeadersLongerThanTheHead() {
    String request =
        "CONNECT hv-02.corp.example:49152 HTTP/1.1\r\nHost: hv-02.corp.example:49152\r\n"
            + "User-Agent: curl/7.88.1\r\nProxy-Connection: Keep-Alive\r\n\r\n";
    assertThat(request.length()).isGreaterThan(PayloadSample.HEAD_BYTES);
    assertThat(match(concat(ascii(request), MULTIFD))).isEqualTo(Signature.QEMU_MULTIFD);
    // one byte a segment
    byte[] all = concat(ascii(request), QEVM);
    byte[][] oneByOne = new byte[all.length][];
    for (int i = 0; i < all.length; i++) {
      oneByOne[i] = new byte[] {all[i]};
    }
    assertThat(match(oneByOne)).isEqualTo(Signature.QEMU);
  }

  @Test
  void httpLineEndsThatRelaysAccept() {
    // RFC 9112 2.2: a lone LF may end a line, and empty lines before the request line are skipped;
    // a client can end its request so if its relay accepts it, and must not hide the stream by it
    assertThat(match(concat(ascii("CONNECT a:1 HTTP/1.0\n\n"), QEVM))).isEqualTo(Signature.QEMU);
    assertThat(match(concat(ascii("CONNECT a:1 HTTP/1.0\r\nHost: a:1\n\r\n"), QEVM)))
        .isEqualTo(Signature.QEMU);
    assertThat(match(ascii("\r\n"), concat(ascii("CONNECT a:1 HTTP/1.1\r\n\r\n"), QEVM)))
        .isEqualTo(Signature.QEMU);
    // not before anything else, nor a long run of them
    assertThat(match(concat(ascii(" CONNECT a:1 HTTP/1.1\r\n\r\n"), QEVM)))
        .isEqualTo(Signature.NONE);
    assertThat(match(concat(ascii("\r\n".repeat(20) + "CONNECT a:1 HTTP/1.1\r\n\r\n"), QEVM)))
        .isEqualTo(Signature.NONE);
  }

  @Test
  void socks5WithAndWithoutUserAndPassword() {
    byte[] ipv4 = bytes(5, 1, 0, 1, 192, 168, 50, 12, 0xC0, 0x00);
    assertThat(match(bytes(5, 1, 0), ipv4, QEVM)).isEqualTo(Signature.QEMU);
    byte[] password = concat(bytes(1, 4), ascii("user"), bytes(6), ascii("secret"));
    byte[] domain = concat(bytes(5, 1, 0, 3, 5), ascii("hv-02"), bytes(0xC0, 0x00));
    assertThat(match(bytes(5, 2, 0, 2), password, domain, MULTIFD))
        .isEqualTo(Signature.QEMU_MULTIFD);
    byte[] ipv6 = concat(bytes(5, 1, 0, 4), new byte[16], bytes(0x11, 0x5C));
    assertThat(match(concat(bytes(5, 1, 0), ipv6, QEVM))).isEqualTo(Signature.QEMU);
  }

  @Test
  void socks4AndSocks4a() {
    byte[] socks4 = concat(bytes(4, 1, 0x1F, 0x42, 192, 168, 50, 98), ascii("root"), bytes(0));
    assertThat(match(socks4, ascii("LibxlFmt"))).isEqualTo(Signature.XEN);
    byte[] socks4a =
        concat(bytes(4, 1, 0x1F, 0x42, 0, 0, 0, 1), bytes(0), ascii("hv-98"), bytes(0));
    assertThat(match(socks4a, QEVM)).isEqualTo(Signature.QEMU);
  }

  @Test
  void nearMissesAreNotRelayedMigrations() {
    // another method, another SOCKS command (BIND), another address type
    assertThat(match(concat(ascii("CONNECTX 1.2.3.4:5 HTTP/1.0\r\n\r\n"), QEVM)))
        .isEqualTo(Signature.NONE);
    assertThat(match(bytes(5, 1, 0), bytes(5, 2, 0, 1, 10, 0, 0, 1, 0, 80), QEVM))
        .isEqualTo(Signature.NONE);
    assertThat(match(bytes(5, 1, 0), bytes(5, 1, 0, 2, 10, 0, 0, 1, 0, 80), QEVM))
        .isEqualTo(Signature.NONE);
    // a request with no empty line after it, a CR alone is no line end, a control byte
    assertThat(match(concat(ascii("CONNECT a:1 HTTP/1.0\r\n"), QEVM))).isEqualTo(Signature.NONE);
    assertThat(match(concat(ascii("CONNECT a:1 HTTP/1.0\r\r"), QEVM))).isEqualTo(Signature.NONE);
    assertThat(match(concat(ascii("CONNECT a:1 HTTP/1.0\r\nX: \u0001\r\n\r\n"), QEVM)))
        .isEqualTo(Signature.NONE);
    // headers past the bound
    String huge =
        "CONNECT a:1 HTTP/1.1\r\nX: " + "y".repeat(RelayRequest.MAX_HTTP_BYTES) + "\r\n\r\n";
    assertThat(match(concat(ascii(huge), QEVM))).isEqualTo(Signature.NONE);
    // a relayed stream that is not a migration opening, and a migration magic inside the request
    assertThat(match(ascii("CONNECT a:1 HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\n\r\n")))
        .isEqualTo(Signature.NONE);
    assertThat(match(ascii("CONNECT QEVM:1 HTTP/1.0\r\n\r\n"))).isEqualTo(Signature.NONE);
    // a stream picked up mid-way has no request at its start
    PayloadSample mid = new PayloadSample(64 * 1024, 1024);
    mid.markMidStream();
    byte[] b = concat(ascii("CONNECT a:1 HTTP/1.0\r\n\r\n"), QEVM);
    mid.add(ByteBuffer.wrap(b), 0, b.length);
    assertThat(SignatureMatcher.match(mid)).isEqualTo(Signature.NONE);
  }
}
