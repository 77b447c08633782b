package io.migaudit.agent.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.record.Signature;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class SignatureMatcherTest {
  private static Signature match(int... bytes) {
    byte[] b = new byte[bytes.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) bytes[i];
    }
    PayloadSample s = new PayloadSample(1024, 512);
    s.add(ByteBuffer.wrap(b), 0, b.length);
    return SignatureMatcher.match(s);
  }

  private static Signature match(String ascii) {
    return match(ascii.chars().toArray());
  }

  private static int[] concat(int[] a, int... b) {
    int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void recognisesEachWrapper() {
    assertThat(match(0x16, 0x03, 0x03, 0x00, 0x40, 1, 2, 3)).isEqualTo(Signature.TLS);
    assertThat(match(0x17, 0x03, 0x03, 0x40, 0x11, 1, 2, 3)).isEqualTo(Signature.TLS);
    assertThat(match('S', 'S', 'H', '-', '2', '.', '0', '-')).isEqualTo(Signature.SSH);
    assertThat(match('Q', 'E', 'V', 'M', 0, 0, 0, 3)).isEqualTo(Signature.QEMU);
    assertThat(match(0x11, 0x22, 0x33, 0x44, 0, 0, 0, 1)).isEqualTo(Signature.QEMU_MULTIFD);
    assertThat(match(0, 0, 0, 0x40, 0xFE, 'S', 'M', 'B')).isEqualTo(Signature.SMB2);
    assertThat(match(0, 0, 0, 0x40, 0xFD, 'S', 'M', 'B')).isEqualTo(Signature.SMB3_ENCRYPTED);
    assertThat(match(0, 0, 0, 0x40, 0xFC, 'S', 'M', 'B')).isEqualTo(Signature.SMB3_COMPRESSED);
    assertThat(match(0x78, 0x9C, 1, 2)).isEqualTo(Signature.ZLIB);
    assertThat(match(0x78, 0xDA, 1, 2)).isEqualTo(Signature.ZLIB);
    assertThat(match(0x1F, 0x8B, 0x08, 0)).isEqualTo(Signature.GZIP);
    assertThat(match(0x28, 0xB5, 0x2F, 0xFD)).isEqualTo(Signature.ZSTD);
    assertThat(match(0x04, 0x22, 0x4D, 0x18)).isEqualTo(Signature.LZ4);
    assertThat(match(0, 0, 0, 0, 3, 0, 5, 0)).isEqualTo(Signature.VMOTION);
  }

  @Test
  void recognisesEachXenSaveStream() {
    // libxl stream header: ident "LibxlFmt", version 2, options (big-endian), as libvirt's libxl
    // driver sends it straight onto the migration connection.
    assertThat(match(concat("LibxlFmt".chars().toArray(), 0, 0, 0, 2, 0, 0, 0, 0)))
        .isEqualTo(Signature.XEN);
    // libxc image header: eight 0xFF, "XENF", version 3.
    int[] libxc = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 'X', 'E', 'N', 'F', 0, 0, 0, 3};
    assertThat(match(libxc)).isEqualTo(Signature.XEN);
    // `xl migrate`: the sender's save-file header, the receiver's banner.
    assertThat(match("Xen saved domain, xl format\n \0 \r")).isEqualTo(Signature.XEN);
    assertThat(match("xl migration receiver ready, send binary domain data.\n"))
        .isEqualTo(Signature.XEN);
    // xend relocation (TCP 8002, or any port): the request, then the guest record.
    assertThat(match("receive\nLinuxGuestRecord\0\0\0\u0010(domain")).isEqualTo(Signature.XEN);
    assertThat(match("LinuxGuestRecord\0\0\0\u0010(domain")).isEqualTo(Signature.XEN);
  }

  @Test
  void xenNearMissesAreNone() {
    assertThat(match("LibxlFm")).isEqualTo(Signature.NONE); // cut short
    assertThat(match(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 'X', 'E', 'N', 'G'))
        .isEqualTo(Signature.NONE); // the marker without libxc's id
    assertThat(match("receive\nsomething else entirely")).isEqualTo(Signature.NONE);
    assertThat(match("Xen saved domain, libvirt format")).isEqualTo(Signature.NONE);
    assertThat(match("xl migration sender")).isEqualTo(Signature.NONE);
  }

  @Test
  void nearMissesAreNone() {
    assertThat(match(0x16, 0x03, 0x09, 0x00, 0x40))
        .isEqualTo(Signature.NONE); // no such TLS version
    assertThat(match(0x17, 0x03, 0x03, 0xFF, 0xFF)).isEqualTo(Signature.NONE); // record too long
    assertThat(match(0x78, 0x9D, 1, 2)).isEqualTo(Signature.NONE); // zlib header check fails
    assertThat(match(1, 2, 3)).isEqualTo(Signature.NONE); // too short
    assertThat(match('G', 'E', 'T', ' ', '/')).isEqualTo(Signature.NONE);
  }
}
