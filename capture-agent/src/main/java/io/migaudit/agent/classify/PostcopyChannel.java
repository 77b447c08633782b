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
 * with nothing sent back.
 *
 * <p>Postcopy recovery opens a main channel without a stream header too: when a postcopy migration
 * breaks (its connection fails, or {@code migrate-pause}), the destination listens again ({@code
 * migrate-recover}, usually on another port) and the source reconnects ({@code migrate} with {@code
 * resume}) and sends, before the rest of the RAM, one {@code MIG_CMD_RECV_BITMAP} command per RAM
 * block (migration/savevm.c: {@code QEMU_VM_COMMAND}, a big-endian u16 command and u16 length, then
 * the block's name as a length byte and its characters), asking which pages the destination has.
 *
 * <p>None of these is a magic: the analyzer takes the signature only next to a host of the policy,
 * where without it the channel is taken for other traffic, or at best a bulk transfer.
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

  /** QEMU_VM_COMMAND: a section byte that says a command follows. */
  static final int VM_COMMAND = 0x08;

  /** MIG_CMD_RECV_BITMAP: the command of a resumed main channel, the same in every QEMU. */
  static final int CMD_RECV_BITMAP = 0x000A;

  /** The command's section byte, its number and its length, before the block's name. */
  private static final int COMMAND_HEADER_BYTES = 5;

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
    return namesBlock(s, HEADER_BYTES);
  }

  /**
   * True when the first bytes of {@code s} are a {@code MIG_CMD_RECV_BITMAP} command whose length
   * is that of the block name it carries: {@code 08 00 0a}, a length of one more than the name's
   * length byte, and a name of printable characters (no space) as far as the first bytes reach.
   */
  static boolean opensWithResume(PayloadSample s) {
    if (s.midStream() || s.headLength() < COMMAND_HEADER_BYTES + 1 + MIN_NAME_CHARS_SEEN) {
      return false;
    }
    int command = (s.headByte(1) << 8) | s.headByte(2);
    int length = (s.headByte(3) << 8) | s.headByte(4);
    return s.headByte(0) == VM_COMMAND
        && command == CMD_RECV_BITMAP
        && length == 1 + s.headByte(COMMAND_HEADER_BYTES)
        && namesBlock(s, COMMAND_HEADER_BYTES);
  }

  /**
   * True when a RAM block's name starts at {@code at}: a length byte of at least two, then
   * printable characters without a space as far as the first bytes reach.
   */
  private static boolean namesBlock(PayloadSample s, int at) {
    int nameLength = s.headByte(at);
    if (nameLength < MIN_NAME_CHARS_SEEN) {
      return false;
    }
    int end = Math.min(s.headLength(), at + 1 + nameLength);
    for (int i = at + 1; i < end; i++) {
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
