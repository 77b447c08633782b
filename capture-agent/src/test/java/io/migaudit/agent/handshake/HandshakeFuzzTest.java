package io.migaudit.agent.handshake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Bad input is never an exception: every decoder reads mutated, cut and extended copies of valid
 * messages and returns a result each time.
 */
class HandshakeFuzzTest {
  private static final int ROUNDS = 3000;

  private static void fuzz(byte[] valid, Function<ByteBuffer, Object> decoder) {
    Random random = new Random(14);
    for (int i = 0; i < ROUNDS; i++) {
      byte[] b = Arrays.copyOf(valid, Math.max(0, valid.length + random.nextInt(40) - 30));
      for (int flips = 1 + random.nextInt(4); flips > 0 && b.length > 0; flips--) {
        b[random.nextInt(b.length)] = (byte) random.nextInt(256);
      }
      assertThat(decoder.apply(ByteBuffer.wrap(b))).isNotNull();
    }
  }

  @Test
  void tlsDecodersSurviveMutations() {
    fuzz(
        TlsBytes.handshakeRecord(
            TlsBytes.clientHello(0x0303, TlsBytes.supportedVersions(0x0304, 0x0303))),
        TlsClientHelloDecoder::decode);
    byte[] flight =
        TlsBytes.handshakeRecord(
            TlsBytes.concat(
                TlsBytes.serverHello(0x0303, 0xC02F, null),
                TlsBytes.certificate(TlsBytes.resource("ca-signed-p256.der")),
                TlsBytes.message(13, new byte[4]),
                TlsBytes.message(14, new byte[0])));
    fuzz(flight, TlsServerFlightDecoder::decode);
  }

  @Test
  void sshEspAndIkeDecodersSurviveMutations() {
    fuzz(
        SshKexinitDecoderTest.client("aes128-ctr,aes256-gcm@openssh.com", "hmac-sha2-256"),
        SshKexinitDecoder::decode);
    fuzz(EspNullDecoderTest.espNullTcp(60, 12), EspNullDecoder::decode);
    fuzz(
        IkeSaInitDecoderTest.saInit(
            false,
            IkeSaInitDecoderTest.transform(false, 1, 12, 256),
            IkeSaInitDecoderTest.transform(true, 4, 19, 0)),
        IkeSaInitDecoder::decode);
  }

  @Test
  void theInspectorSurvivesMutatedStreams() {
    Random random = new Random(4253);
    byte[] client =
        TlsBytes.handshakeRecord(TlsBytes.clientHello(0x0303, TlsBytes.supportedVersions(0x0304)));
    for (int i = 0; i < ROUNDS; i++) {
      byte[] b = client.clone();
      b[2 + random.nextInt(b.length - 2)] = (byte) random.nextInt(256);
      HandshakeInspector inspector =
          HandshakeInspector.forStream(6, ByteBuffer.wrap(b), 0, b.length);
      inspector.add(true, ByteBuffer.wrap(b), 0, b.length, b.length);
      inspector.add(false, ByteBuffer.wrap(b), 0, b.length, b.length);
      inspector.facts(); // null or facts, never an exception
    }
  }
}
