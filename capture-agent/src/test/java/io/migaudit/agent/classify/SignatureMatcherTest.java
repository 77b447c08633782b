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

  private static PayloadSample sample(int... bytes) {
    byte[] b = new byte[bytes.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) bytes[i];
    }
    PayloadSample s = new PayloadSample(1024, 512);
    if (b.length > 0) {
      s.add(ByteBuffer.wrap(b), 0, b.length);
    }
    return s;
  }

  /** A RAM save record's header (migration/ram.c): big-endian offset | flags, then a block name. */
  private static int[] ramRecord(long offsetAndFlags, String block) {
    int[] out = new int[8 + 1 + block.length()];
    for (int i = 0; i < 8; i++) {
      out[i] = (int) (offsetAndFlags >>> (56 - 8 * i)) & 0xFF;
    }
    out[8] = block.length();
    for (int i = 0; i < block.length(); i++) {
      out[9 + i] = block.charAt(i);
    }
    return out;
  }

  private static final int[] END_OF_SECTION = {0, 0, 0, 0, 0, 0, 0, 0x10};

  @Test
  void recognisesQemuPostcopyPreemptChannels() {
    // the first record of the channel as QEMU 7.2 sent it (samples/qemu-postcopy-preempt), and a
    // zero page; a page on a target with 1 KiB pages (offset bit 10 set)
    assertThat(match(concat(ramRecord(0xC0000 | 0x08, "pc.ram"), 0x55, 0xAA)))
        .isEqualTo(Signature.QEMU_POSTCOPY);
    assertThat(match(concat(ramRecord(0x7FFFF000L | 0x02, "mach-virt.ram"), 0)))
        .isEqualTo(Signature.QEMU_POSTCOPY);
    assertThat(match(ramRecord(0x400 | 0x08, "/objects/mem0"))).isEqualTo(Signature.QEMU_POSTCOPY);
    // a block name longer than the first bytes kept: what is there must be printable
    assertThat(match(ramRecord(0x1000 | 0x08, "x".repeat(200)))).isEqualTo(Signature.QEMU_POSTCOPY);
    // a channel whose guest asked for no page: the end-of-section word, nothing back
    assertThat(SignatureMatcher.match(sample(END_OF_SECTION), sample()))
        .isEqualTo(Signature.QEMU_POSTCOPY);
  }

  @Test
  void postcopyNearMissesAreNone() {
    // a record that continues a block cannot open a channel; other flags; no flag
    assertThat(match(ramRecord(0xC0000 | 0x08 | 0x20, "pc.ram"))).isEqualTo(Signature.NONE);
    assertThat(match(ramRecord(0xC0000 | 0x08 | 0x02, "pc.ram"))).isEqualTo(Signature.NONE);
    assertThat(match(ramRecord(0xC0000 | 0x04, "pc.ram"))).isEqualTo(Signature.NONE);
    assertThat(match(ramRecord(0xC0000, "pc.ram"))).isEqualTo(Signature.NONE);
    // bits between the flags and a 1 KiB page; an offset of 2^48 and more
    assertThat(match(ramRecord(0xC0100 | 0x08, "pc.ram"))).isEqualTo(Signature.NONE);
    assertThat(match(ramRecord((1L << 48) | 0x08, "pc.ram"))).isEqualTo(Signature.NONE);
    // names: with a space, with a control character, one character, none
    assertThat(match(ramRecord(0xC0000 | 0x08, "pc ram"))).isEqualTo(Signature.NONE);
    assertThat(match(ramRecord(0xC0000 | 0x08, "pc\nram"))).isEqualTo(Signature.NONE);
    assertThat(match(ramRecord(0xC0000 | 0x08, "p"))).isEqualTo(Signature.NONE);
    assertThat(match(concat(ramRecord(0xC0000 | 0x08, ""), 'p', 'c'))).isEqualTo(Signature.NONE);
    // the end-of-section word with an answer, with more after it, or not alone in its word
    assertThat(SignatureMatcher.match(sample(END_OF_SECTION), sample(0, 0, 0, 1)))
        .isEqualTo(Signature.NONE);
    assertThat(SignatureMatcher.match(sample(concat(END_OF_SECTION, 0)), sample()))
        .isEqualTo(Signature.NONE);
    assertThat(SignatureMatcher.match(sample(0, 0, 0, 0, 0, 0, 1, 0x10), sample()))
        .isEqualTo(Signature.NONE);
    // ... or sent by the side that accepted the connection
    assertThat(SignatureMatcher.match(sample(), sample(END_OF_SECTION))).isEqualTo(Signature.NONE);
    // a record picked up mid-stream says nothing about how the connection began
    PayloadSample mid = sample(ramRecord(0xC0000 | 0x08, "pc.ram"));
    mid.markMidStream();
    assertThat(SignatureMatcher.match(mid)).isEqualTo(Signature.NONE);
  }

  /** A MIG_CMD_RECV_BITMAP command (migration/savevm.c): 08, command 10, length, block name. */
  private static int[] recvBitmap(int length, String block) {
    int[] out = {0x08, 0x00, 0x0A, length >> 8, length & 0xFF, block.length()};
    return concat(out, block.chars().toArray());
  }

  @Test
  void recognisesQemuMainChannelsResumedByPostcopyRecovery() {
    // the first bytes of the resumed main channel as QEMU 7.2 sent them (samples/
    // qemu-postcopy-recovery), then the next block's command in the same segment
    assertThat(match(recvBitmap(7, "pc.ram"))).isEqualTo(Signature.QEMU_POSTCOPY);
    assertThat(match(concat(recvBitmap(7, "pc.ram"), recvBitmap(21, "/rom@etc/acpi/tables"))))
        .isEqualTo(Signature.QEMU_POSTCOPY);
    // other machines' blocks; a name longer than the first bytes kept
    assertThat(match(recvBitmap(14, "mach-virt.ram"))).isEqualTo(Signature.QEMU_POSTCOPY);
    assertThat(match(recvBitmap(201, "x".repeat(200)))).isEqualTo(Signature.QEMU_POSTCOPY);
  }

  @Test
  void resumeNearMissesAreNone() {
    // a length that is not the name's; another command (MIG_CMD_POSTCOPY_RESUME); another section
    assertThat(match(recvBitmap(8, "pc.ram"))).isEqualTo(Signature.NONE);
    assertThat(match(recvBitmap(6, "pc.ram"))).isEqualTo(Signature.NONE);
    int[] resume = recvBitmap(7, "pc.ram");
    resume[2] = 0x09;
    assertThat(match(resume)).isEqualTo(Signature.NONE);
    int[] section = recvBitmap(7, "pc.ram");
    section[0] = 0x02;
    assertThat(match(section)).isEqualTo(Signature.NONE);
    // names: with a space, one character, cut before two characters
    assertThat(match(recvBitmap(7, "pc ram"))).isEqualTo(Signature.NONE);
    assertThat(match(recvBitmap(2, "p"))).isEqualTo(Signature.NONE);
    assertThat(match(java.util.Arrays.copyOf(recvBitmap(7, "pc.ram"), 7)))
        .isEqualTo(Signature.NONE);
    // picked up mid-stream
    PayloadSample mid = sample(recvBitmap(7, "pc.ram"));
    mid.markMidStream();
    assertThat(SignatureMatcher.match(mid)).isEqualTo(Signature.NONE);
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
