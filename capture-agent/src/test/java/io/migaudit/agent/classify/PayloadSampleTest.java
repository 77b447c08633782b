package io.migaudit.agent.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Small samples are kept as bytes and larger ones as a histogram; both count alike. */
class PayloadSampleTest {

  @Test
  void countsAreTheSameBeforeAndAfterTheHistogramTakesOver() {
    Random r = new Random(5);
    PayloadSample s = new PayloadSample(4096, 100);
    int[] expected = new int[256];
    long sampled = 0;
    while (sampled < 4096) {
      byte[] packet = new byte[1 + r.nextInt(150)];
      r.nextBytes(packet);
      ByteBuffer frame = ByteBuffer.wrap(packet);
      s.add(frame, 0, packet.length);
      int take = (int) Math.min(Math.min(packet.length, 100), 4096 - sampled);
      for (int i = 0; i < take; i++) {
        expected[packet[i] & 0xFF]++;
      }
      sampled += take;
      assertThat(s.sampledBytes()).isEqualTo(sampled);
      assertThat(s.counts()).as("after %d sampled bytes", sampled).isEqualTo(expected);
      assertThat(s.count(packet[0] & 0xFF)).isEqualTo(expected[packet[0] & 0xFF]);
    }
  }

  @Test
  void statisticsAreThoseOfTheFormula() {
    Random r = new Random(7);
    for (int round = 0; round < 2000; round++) {
      PayloadSample s = new PayloadSample(4096, 1500);
      byte[] packet = new byte[1 + r.nextInt(round % 2 == 0 ? 300 : 1500)];
      for (int i = 0; i < packet.length; i++) {
        packet[i] = (byte) r.nextInt(1 + r.nextInt(256));
      }
      s.add(ByteBuffer.wrap(packet), 0, packet.length);
      int[] counts = s.counts();
      double entropy = 0;
      double chi = 0;
      double expected = packet.length / 256.0;
      for (int c : counts) {
        if (c > 0) {
          double p = (double) c / packet.length;
          entropy -= p * (Math.log(p) / Math.log(2));
        }
        double d = c - expected;
        chi += d * d / expected;
      }
      // written as log2(n) - sum(c * log2(c)) / n: equal up to rounding
      assertThat(s.statistics().entropy()).as("round %d", round).isCloseTo(entropy, within(1e-12));
      // written as sum(c^2) / e - n, with the squares summed exactly: equal up to rounding
      assertThat(s.statistics().chiSquare())
          .as("round %d", round)
          .isCloseTo(chi, within(1e-9 * Math.max(1, chi)));
    }
  }

  @Test
  void countsPastSixteenBitsAreExact() {
    byte[] packet = new byte[1500];
    Arrays.fill(packet, (byte) 7);
    packet[0] = 9;
    PayloadSample s = new PayloadSample(200_000, 1500);
    int packets = 0;
    while (s.sampledBytes() < 200_000) {
      s.add(ByteBuffer.wrap(packet), 0, packet.length);
      packets++;
      long sevens = s.sampledBytes() - packets;
      assertThat(s.count(7)).as("after %d bytes", s.sampledBytes()).isEqualTo((int) sevens);
    }
    assertThat(s.count(9)).isEqualTo(packets);
    assertThat(s.counts()[7]).isEqualTo(200_000 - packets);
    assertThat(s.statistics().n()).isEqualTo(200_000);
  }

  @Test
  void statisticsFollowEveryNewByte() {
    PayloadSample s = new PayloadSample(1 << 16, 1500);
    s.add(ByteBuffer.wrap(new byte[100]), 0, 100);
    ByteStatistics zeros = s.statistics();
    assertThat(zeros.zeroFraction()).isEqualTo(1.0);
    assertThat(s.statistics()).isSameAs(zeros);
    byte[] ones = new byte[100];
    Arrays.fill(ones, (byte) 1);
    s.add(ByteBuffer.wrap(ones), 0, 100);
    assertThat(s.statistics().zeroFraction()).isEqualTo(0.5);
    assertThat(s.statistics().entropy()).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void readsPayloadAtItsOffsetInADirectFrame() {
    ByteBuffer direct = ByteBuffer.allocateDirect(64);
    for (int i = 0; i < 64; i++) {
      direct.put(i, (byte) i);
    }
    PayloadSample s = new PayloadSample(1024, 1500);
    s.add(direct, 10, 20);
    assertThat(s.headByte(0)).isEqualTo(10);
    assertThat(s.count(29)).isEqualTo(1);
    assertThat(s.count(30)).isZero();
  }
}
