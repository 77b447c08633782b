package io.migaudit.agent.handshake;

import io.migaudit.record.IkeProposals;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the transforms of an IKEv2 IKE_SA_INIT message's SA payload (RFC 7296 §3.1, §3.3). Fed one
 * UDP datagram to port 500, or to 4500 after its four-byte non-ESP marker (RFC 3948 §2.2).
 * Stateless.
 */
public final class IkeSaInitDecoder {
  /**
   * RFC 7296 §3.1: SPIs(16) next payload(1) version(1) exchange(1) flags(1) message id(4)
   * length(4).
   */
  static final int HEADER_LENGTH = 28;

  static final int OFFSET_NEXT_PAYLOAD = 16;
  static final int OFFSET_VERSION = 17;
  static final int OFFSET_EXCHANGE = 18;
  static final int OFFSET_FLAGS = 19;
  static final int OFFSET_LENGTH = 24;
  static final int MAJOR_VERSION_2 = 2;
  static final int IKE_SA_INIT = 34;
  static final int FLAG_RESPONSE = 0x20;

  /** RFC 7296 §3.2: next payload(1) critical(1) length(2). */
  static final int GENERIC_HEADER_LENGTH = 4;

  static final int PAYLOAD_SA = 33;
  static final int NO_NEXT_PAYLOAD = 0;
  static final int MAX_PAYLOADS = 32;

  /**
   * RFC 7296 §3.3.1: last(1) reserved(1) length(2) number(1) protocol(1) SPI size(1) transforms(1).
   */
  static final int PROPOSAL_HEADER_LENGTH = 8;

  /** RFC 7296 §3.3.2: last(1) reserved(1) length(2) type(1) reserved(1) id(2). */
  static final int TRANSFORM_HEADER_LENGTH = 8;

  /** RFC 7296 §3.3.5: attribute type 14 (Key Length) in TV format (AF bit set). */
  static final int ATTRIBUTE_KEY_LENGTH_TV = 0x800E;

  private IkeSaInitDecoder() {}

  /**
   * One IKE_SA_INIT message's transforms.
   *
   * @param response true for the responder's message (its one proposal is the choice)
   * @param transforms transform names in order, without repeats
   * @param issue null on success
   */
  public record Result(boolean response, List<String> transforms, HandshakeIssue issue) {
    static Result failed(HandshakeIssue issue) {
      return new Result(false, List.of(), issue);
    }
  }

  public static Result decode(ByteBuffer datagram) {
    ByteBuffer m = datagram.slice();
    if (m.limit() < HEADER_LENGTH) {
      return Result.failed(HandshakeIssue.IKE_BAD_LENGTH);
    }
    if (Byte.toUnsignedInt(m.get(OFFSET_VERSION)) >> 4 != MAJOR_VERSION_2) {
      return Result.failed(HandshakeIssue.IKE_NOT_V2);
    }
    if (Byte.toUnsignedInt(m.get(OFFSET_EXCHANGE)) != IKE_SA_INIT) {
      return Result.failed(HandshakeIssue.IKE_NOT_SA_INIT);
    }
    long length = Integer.toUnsignedLong(m.getInt(OFFSET_LENGTH));
    if (length < HEADER_LENGTH || length > m.limit()) {
      return Result.failed(HandshakeIssue.IKE_BAD_LENGTH);
    }
    boolean response = (Byte.toUnsignedInt(m.get(OFFSET_FLAGS)) & FLAG_RESPONSE) != 0;
    int next = Byte.toUnsignedInt(m.get(OFFSET_NEXT_PAYLOAD));
    FieldReader r = new FieldReader(m.slice(HEADER_LENGTH, (int) length - HEADER_LENGTH));
    for (int i = 0; i < MAX_PAYLOADS && next != NO_NEXT_PAYLOAD; i++) {
      int type = next;
      next = r.u8();
      r.skip(1);
      int payloadLength = r.u16();
      ByteBuffer body = r.slice(payloadLength - GENERIC_HEADER_LENGTH);
      if (r.failed()) {
        return Result.failed(HandshakeIssue.IKE_BAD_LENGTH);
      }
      if (type == PAYLOAD_SA) {
        List<String> names = new ArrayList<>();
        return proposals(body, names)
            ? new Result(response, names, null)
            : Result.failed(HandshakeIssue.IKE_BAD_LENGTH);
      }
    }
    return new Result(response, List.of(), null);
  }

  private static boolean proposals(ByteBuffer sa, List<String> names) {
    FieldReader r = new FieldReader(sa);
    while (r.remaining() > 0) {
      r.skip(2); // last, reserved
      int length = r.u16();
      FieldReader p = new FieldReader(r.slice(length - GENERIC_HEADER_LENGTH));
      p.skip(2); // proposal number, protocol id
      int spiSize = p.u8();
      int transforms = p.u8();
      p.skip(spiSize);
      for (int t = 0; t < transforms && !p.failed(); t++) {
        p.skip(2);
        int transformLength = p.u16();
        FieldReader tr = new FieldReader(p.slice(transformLength - GENERIC_HEADER_LENGTH));
        int type = tr.u8();
        tr.skip(1);
        int id = tr.u16();
        int keyBits = tr.remaining() >= 4 && tr.u16() == ATTRIBUTE_KEY_LENGTH_TV ? tr.u16() : 0;
        String name = IkeNames.transform(type, id, keyBits);
        if (!names.contains(name) && names.size() < IkeProposals.MAX_TRANSFORMS) {
          names.add(name);
        }
      }
      if (r.failed() || p.failed()) {
        return false;
      }
    }
    return !r.failed();
  }
}
