package io.migaudit.agent.flow;

import io.migaudit.record.HopLimits;

/**
 * The lowest and highest TTL / hop limit of both directions of a flow packed in one int
 * (initiator's min, max, responder's min, max, one unsigned byte each, lowest byte first), so that
 * a flow entry pays four bytes for them.
 */
final class TtlRanges {
  /** Nothing seen: each min at 255, each max at 0. */
  static final int EMPTY = 0x00FF_00FF;

  private static final int BYTE = 0xFF;
  private static final int RESPONDER_SHIFT = 16;

  private TtlRanges() {}

  /** {@code packed} with {@code ttl} counted for the initiator's or the responder's direction. */
  static int add(int packed, boolean initiator, int ttl) {
    int shift = initiator ? 0 : RESPONDER_SHIFT;
    int min = Math.min((packed >>> shift) & BYTE, ttl);
    int max = Math.max((packed >>> (shift + 8)) & BYTE, ttl);
    int cleared = packed & ~(0xFFFF << shift);
    return cleared | ((min | (max << 8)) << shift);
  }

  /** The record's ranges; a direction that sent no packet has none. */
  static HopLimits of(int packed, boolean initiatorSent, boolean responderSent) {
    return new HopLimits(
        initiatorSent ? range(packed, 0) : null,
        responderSent ? range(packed, RESPONDER_SHIFT) : null);
  }

  private static HopLimits.Range range(int packed, int shift) {
    return new HopLimits.Range((packed >>> shift) & BYTE, (packed >>> (shift + 8)) & BYTE);
  }
}
