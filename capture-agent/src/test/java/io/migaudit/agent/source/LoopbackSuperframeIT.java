package io.migaudit.agent.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.testsupport.CiGate;
import io.migaudit.testsupport.DrainedConnection;
import io.migaudit.testsupport.Eventually;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The agent's default snap length keeps whole the frames a host hands its capture: on loopback (MTU
 * 65536) a TCP segment fills an IP packet of 65535 bytes, a frame of 65549, and a NIC's GRO and TSO
 * superframes are as large. With the old default of 65535 every such frame lost its last bytes and
 * the agent warned about a snap length it had chosen itself. A real libpcap capture on this host's
 * own loopback, of connections this test makes to itself.
 *
 * <p>Needs root (or CAP_NET_RAW) and libpcap: without them it skips, except under {@code CI=true},
 * where it fails.
 */
class LoopbackSuperframeIT {
  private static final int BYTES_SENT = 16 << 20;

  /** Connections made one after the other: a busy machine may hold one's segments small. */
  private static final int CONNECTIONS = 3;

  private static final int BUFFER_BYTES = 8 << 20;

  /** An Ethernet frame of an IP packet of 65535 bytes: more than 65535 bytes, as loopback makes. */
  private static final int LARGEST_IP_FRAME = 14 + 65535;

  @Test
  void theDefaultSnapLengthKeepsLoopbackSuperframesWhole() throws Exception {
    CiGate.require(
        "root".equals(System.getProperty("user.name")),
        "live capture on lo needs root (or CAP_NET_RAW)");
    CaptureBackend backend = CaptureBackend.best();
    CiGate.requireNoProblem(backend.unavailable());
    try (ServerSocket server = new ServerSocket()) {
      // a large receive window: the sender's segments are as large as loopback allows, not cut to
      // what a reader slowed by a busy machine left room for
      server.setReceiveBufferSize(BUFFER_BYTES);
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
      int port = server.getLocalPort();
      LiveCaptureOptions options = LiveCaptureOptions.defaults("tcp port " + port);
      assertThat(options.snaplenBytes()).isGreaterThanOrEqualTo(LARGEST_IP_FRAME);
      try (LiveSource source = backend.open("lo", options)) {
        // the capture is active once open returns: frames wait in the kernel's ring until read.
        // Own threads: the common pool may have one, and both tasks block.
        AtomicLong wireBytes = new AtomicLong();
        CompletableFuture<List<int[]>> frames =
            CompletableFuture.supplyAsync(
                () -> read(source, wireBytes), LoopbackSuperframeIT::thread);
        for (int i = 0; i < CONNECTIONS; i++) {
          send(server, port);
        }
        long sent = (long) CONNECTIONS * BYTES_SENT;
        Eventually.until(
            "the frames of " + sent + " bytes sent read from the capture",
            Duration.ofSeconds(30),
            () -> wireBytes.get() >= sent);
        source.stop();
        List<int[]> seen = frames.get(30, TimeUnit.SECONDS);
        assertThat(seen).as("frames of the connection").isNotEmpty();
        assertThat(seen.stream().mapToInt(f -> f[1]).max().orElse(0))
            .as("the largest frame on the wire: loopback's 64 KiB segments")
            .isGreaterThan(65535);
        assertThat(seen)
            .as("frames the snap length cut (captured, wire length)")
            .filteredOn(f -> f[0] < f[1])
            .isEmpty();
      }
    }
  }

  /**
   * Captured and wire length of every frame until the source stops; {@code wireBytes} counts the
   * wire lengths as they come.
   */
  private static List<int[]> read(LiveSource source, AtomicLong wireBytes) {
    List<int[]> seen = new ArrayList<>();
    CapturedPacket p = new CapturedPacket();
    try {
      while (source.next(p)) {
        seen.add(new int[] {p.capturedLength(), p.originalLength});
        wireBytes.addAndGet(p.originalLength);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return seen;
  }

  private static void thread(Runnable task) {
    Thread t = new Thread(task, "loopback-superframe-it");
    t.setDaemon(true);
    t.start();
  }

  /** Sends {@link #BYTES_SENT} bytes through a loopback connection to {@code server}. */
  private static void send(ServerSocket server, int port) throws Exception {
    CompletableFuture<Long> received = DrainedConnection.accept(server, "loopback-superframe-it");
    try (Socket out = new Socket()) {
      out.setSendBufferSize(BUFFER_BYTES);
      out.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      OutputStream s = out.getOutputStream();
      byte[] block = new byte[1 << 20];
      for (int sent = 0; sent < BYTES_SENT; sent += block.length) {
        s.write(block);
      }
    }
    assertThat(received.get(30, TimeUnit.SECONDS)).isEqualTo((long) BYTES_SENT);
  }
}
