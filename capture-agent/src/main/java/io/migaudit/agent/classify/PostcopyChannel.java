package io.migaudit.agent.classify;

/**
 * QEMU's postcopy preempt channel (docs/PROTOCOLS.md, "KVM / QEMU"): with the postcopy-ram and
 * postcopy-preempt capabilities the source opens a second connection to the destination's migration
 * listener, with no magic of its own (the destination knows it by its order), and sends on it the
 * pages the destination's guest asked for after the switch to postcopy, as RAM save records
 * (migration/ram.c): a big-endian 64-bit word, the page's offset in its RAM block with {@code
 * RAM_SAVE_FLAG_*} bits below the smallest target page (1 KiB), then, when the record does not
 * continue the block of the record before it, the block's name (a length byte and that many
 * characters, {@code pc.ram}), then the page. At the end the source writes {@code
 * RAM_SAVE_FLAG_EOS} on it. A channel whose guest asked for nothing carries that word alone.
 *
 * <p>Such a channel starts with a record that names its block (the channel's first record has no
 * record before it to continue), or, when it carried nothing else, is that one end-of-section word
 * with nothing sent back. Neither is a magic: the analyzer takes the signature only next to a host
 * of the policy, where without it the channel is taken for other traffic on the migration network.
 */
final class PostcopyChannel {
  /** RAM_SAVE_FLAG_ZERO: a page of one repeated byte, which follows the header. */
  static final int FLAG_ZERO = 0x02;

  /** RAM_SAVE_FLAG_PAGE: a whole page follows the header. */
  static final int FLAG_PAGE = 0x08;

  /** RAM_SAVE_FLAG_EOS: the end of a section, the last word the source writes on the channel. */
  static final int FLAG_EOS = 0x10;

  /** The bits below the smallest target page QEMU builds for (TARGET_PAGE_BITS_MIN 10). */
  private static final long FLAG_BITS = 0x3FF;

  private static final int HEADER_BYTES = Long.BYTES;

  /** Block names are at most 255 characters; two of them are enough to tell one from noise. */
  private static final int MIN_NAME_CHARS_SEEN = 2;

  private PostcopyChannel() {}

  /**
   * True when the first bytes of {@code s} are a RAM save record of a whole or zero page that names
   * its block: flags exactly one of {@code PAGE} and {@code ZERO}, an offset below 2^48, a name
   * length of 1-255 and printable characters (no space) as far as the first bytes reach.
   */
  static boolean opensWithPage(PayloadSample s) {
    if (s.midStream() || s.headLength() < HEADER_BYTES + 1 + MIN_NAME_CHARS_SEEN) {
      return false;
    }
    long word = word(s);
    long flags = word & FLAG_BITS;
    if ((flags != FLAG_PAGE && flags != FLAG_ZERO) || (word >>> 48) != 0) {
      return false;
    }
    int nameLength = s.headByte(HEADER_BYTES);
    if (nameLength < MIN_NAME_CHARS_SEEN) {
      return false;
    }
    int end = Math.min(s.headLength(), HEADER_BYTES + 1 + nameLength);
    for (int i = HEADER_BYTES + 1; i < end; i++) {
      int c = s.headByte(i);
      if (c <= ' ' || c > '~') {
        return false;
      }
    }
    return true;
  }

  /**
   * True when {@code sender} carried nothing but one end-of-section word from its connection's
   * start and {@code other} carried nothing at all: the channel of a postcopy migration whose guest
   * asked for no page.
   */
  static boolean onlyEndOfSection(PayloadSample sender, PayloadSample other) {
    return !sender.midStream()
        && sender.payloadSeen() == HEADER_BYTES
        && sender.headLength() == HEADER_BYTES
        && word(sender) == FLAG_EOS
        && other.payloadSeen() == 0;
  }

  private static long word(PayloadSample s) {
    long word = 0;
    for (int i = 0; i < HEADER_BYTES; i++) {
      word = (word << 8) | s.headByte(i);
    }
    return word;
  }
}
