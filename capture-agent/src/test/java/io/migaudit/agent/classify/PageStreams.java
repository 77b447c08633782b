package io.migaudit.agent.classify;

import java.util.Arrays;
import java.util.Random;
import java.util.zip.Deflater;

/** Guest-memory-like page streams and their compressed forms, for tests of any package. */
public final class PageStreams {
  private PageStreams() {}

  /** Pages of {@code n} bytes: a third zero, a third kernel pointers, a third small integers. */
  public static byte[] memoryLike(int n, long seed) {
    Random r = new Random(seed);
    byte[] out = new byte[n];
    for (int page = 0; page * 4096 < n; page++) {
      int kind = r.nextInt(3);
      for (int i = page * 4096; i < Math.min(n, (page + 1) * 4096); i += 8) {
        long v =
            kind == 0
                ? 0
                : kind == 1 ? 0xffff888000000000L | (r.nextInt(1 << 20) << 6) : r.nextInt(64);
        for (int b = 0; b < 8 && i + b < n; b++) {
          out[i + b] = (byte) (v >>> (8 * b));
        }
      }
    }
    return out;
  }

  /**
   * Raw deflate (no zlib header, so only statistics can tell) at {@code level}: 1 is QEMU multifd's
   * zlib default.
   */
  public static byte[] rawDeflate(byte[] in, int level) {
    Deflater d = new Deflater(level, true);
    d.setInput(in);
    d.finish();
    byte[] buf = new byte[in.length + 1024];
    int n = d.deflate(buf);
    d.end();
    return Arrays.copyOf(buf, n);
  }
}
