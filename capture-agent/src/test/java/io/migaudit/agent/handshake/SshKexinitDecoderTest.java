package io.migaudit.agent.handshake;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.record.SshHandshake;
import io.migaudit.record.SshKexinit;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SshKexinitDecoderTest {

  /** An identification line and one KEXINIT packet with the given six lists (and empty rest). */
  static byte[] side(
      String banner,
      String kex,
      String hostKey,
      String encCs,
      String encSc,
      String macCs,
      String macSc) {
    TlsBytes payload = new TlsBytes().u8(20).zeros(16);
    for (String list :
        new String[] {kex, hostKey, encCs, encSc, macCs, macSc, "none", "none", "", ""}) {
      byte[] b = list.getBytes(StandardCharsets.US_ASCII);
      payload.u16(0).u16(b.length).bytes(b);
    }
    payload.u8(0).u16(0).u16(0);
    byte[] p = payload.toArray();
    int padding = 8 - (p.length + 5) % 8 + 4;
    byte[] packet =
        new TlsBytes()
            .u16(0)
            .u16(p.length + padding + 1)
            .u8(padding)
            .bytes(p)
            .zeros(padding)
            .toArray();
    return TlsBytes.concat((banner + "\r\n").getBytes(StandardCharsets.US_ASCII), packet);
  }

  static byte[] client(String enc, String mac) {
    return side(
        "SSH-2.0-OpenSSH_9.2p1 Debian-2",
        "curve25519-sha256,ext-info-c",
        "ssh-ed25519",
        enc,
        enc,
        mac,
        mac);
  }

  @Test
  void readsTheListsInOrder() {
    SshKexinitDecoder.Result r =
        SshKexinitDecoder.decode(
            ByteBuffer.wrap(client("aes128-cbc,aes256-gcm@openssh.com", "hmac-md5")));
    assertThat(r.issue()).isNull();
    assertThat(r.kexinit().kex()).containsExactly("curve25519-sha256", "ext-info-c");
    assertThat(r.kexinit().ciphersClientToServer())
        .containsExactly("aes128-cbc", "aes256-gcm@openssh.com");
    assertThat(r.kexinit().macsServerToClient()).containsExactly("hmac-md5");
  }

  @Test
  void linesBeforeTheServersIdentificationAreSkipped() {
    byte[] s =
        TlsBytes.concat("welcome\r\n".getBytes(StandardCharsets.US_ASCII), client("none", "none"));
    assertThat(SshKexinitDecoder.decode(ByteBuffer.wrap(s)).kexinit().ciphersServerToClient())
        .containsExactly("none");
  }

  @Test
  void theFirstClientAlgorithmTheServerKnowsIsNegotiatedNoneIncluded() {
    SshKexinit c =
        SshKexinitDecoder.decode(ByteBuffer.wrap(client("none,aes128-ctr", "hmac-sha1"))).kexinit();
    SshKexinit s =
        SshKexinitDecoder.decode(
                ByteBuffer.wrap(
                    side(
                        "SSH-2.0-HPN",
                        "curve25519-sha256",
                        "ssh-ed25519",
                        "aes128-ctr,none",
                        "aes128-ctr",
                        "hmac-sha1",
                        "umac-64@openssh.com")))
            .kexinit();
    SshHandshake h = SshNegotiation.of(c, s);
    assertThat(h.cipherClientToServer()).isEqualTo("none");
    assertThat(h.cipherServerToClient()).isEqualTo("aes128-ctr");
    assertThat(h.macClientToServer()).isEqualTo("hmac-sha1");
    assertThat(h.macServerToClient()).isNull(); // nothing in common: the handshake fails
  }

  @Test
  void aCutPacketNeedsMore() {
    byte[] s = client("aes128-ctr", "hmac-sha1");
    assertThat(SshKexinitDecoder.decode(ByteBuffer.wrap(Arrays.copyOf(s, s.length - 10))).issue())
        .isEqualTo(HandshakeIssue.NEED_MORE);
    assertThat(
            SshKexinitDecoder.decode(
                    ByteBuffer.wrap("SSH-2.0-Op".getBytes(StandardCharsets.US_ASCII)))
                .issue())
        .isEqualTo(HandshakeIssue.NEED_MORE);
  }

  @Test
  void anEndlessBannerIsRefused() {
    byte[] s = new byte[600];
    Arrays.fill(s, (byte) 'A');
    System.arraycopy("SSH-".getBytes(StandardCharsets.US_ASCII), 0, s, 0, 4);
    assertThat(SshKexinitDecoder.decode(ByteBuffer.wrap(s)).issue())
        .isEqualTo(HandshakeIssue.SSH_BANNER_TOO_LONG);
  }

  @Test
  void aHugePacketLengthIsRefused() {
    byte[] s =
        TlsBytes.concat(
            "SSH-2.0-x\r\n".getBytes(StandardCharsets.US_ASCII),
            new TlsBytes().u16(0x7FFF).u16(0xFFFF).u8(4).zeros(8).toArray());
    assertThat(SshKexinitDecoder.decode(ByteBuffer.wrap(s)).issue())
        .isEqualTo(HandshakeIssue.SSH_BAD_PACKET_LENGTH);
  }

  @Test
  void anotherMessageFirstIsNotKexinit() {
    byte[] s =
        TlsBytes.concat(
            "SSH-2.0-x\r\n".getBytes(StandardCharsets.US_ASCII),
            new TlsBytes().u16(0).u16(12).u8(4).u8(21).zeros(10).toArray());
    assertThat(SshKexinitDecoder.decode(ByteBuffer.wrap(s)).issue())
        .isEqualTo(HandshakeIssue.SSH_NOT_KEXINIT);
  }

  @Test
  void aNameListLongerThanThePacketIsBad() {
    byte[] payload =
        new TlsBytes()
            .u8(20)
            .zeros(16)
            .u16(0)
            .u16(500)
            .bytes("aes".getBytes(StandardCharsets.US_ASCII))
            .toArray();
    byte[] s =
        TlsBytes.concat(
            "SSH-2.0-x\r\n".getBytes(StandardCharsets.US_ASCII),
            new TlsBytes().u16(0).u16(payload.length + 5).u8(4).bytes(payload).zeros(4).toArray());
    assertThat(SshKexinitDecoder.decode(ByteBuffer.wrap(s)).issue())
        .isEqualTo(HandshakeIssue.SSH_BAD_NAME_LIST);
  }

  @Test
  void emptyNamesAndControlCharactersAreNotANameList() {
    assertThat(
            SshKexinitDecoder.names(
                ByteBuffer.wrap("aes,,ctr".getBytes(StandardCharsets.US_ASCII))))
        .isNull();
    assertThat(
            SshKexinitDecoder.names(
                ByteBuffer.wrap("aes\nctr".getBytes(StandardCharsets.US_ASCII))))
        .isNull();
    assertThat(SshKexinitDecoder.names(ByteBuffer.wrap(new byte[0]))).isEqualTo(List.of());
  }

  @Test
  void anHttpStreamIsNotSsh() {
    assertThat(
            SshKexinitDecoder.decode(
                    ByteBuffer.wrap("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII)))
                .issue())
        .isIn(HandshakeIssue.NOT_THIS_PROTOCOL, HandshakeIssue.NEED_MORE);
  }
}
