package io.migaudit.agent.handshake;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * Builds TLS handshake bytes field by field for the decoder tests (RFC 8446 / RFC 5246 layouts).
 */
final class TlsBytes {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  TlsBytes u8(int v) {
    out.write(v);
    return this;
  }

  TlsBytes u16(int v) {
    return u8(v >> 8).u8(v & 0xFF);
  }

  TlsBytes u32(long v) {
    return u16((int) (v >>> 16)).u16((int) (v & 0xFFFF));
  }

  TlsBytes u24(int v) {
    return u8(v >> 16).u16(v & 0xFFFF);
  }

  TlsBytes bytes(byte[] b) {
    out.writeBytes(b);
    return this;
  }

  TlsBytes zeros(int n) {
    return bytes(new byte[n]);
  }

  byte[] toArray() {
    return out.toByteArray();
  }

  static byte[] record(int type, int version, byte[] body) {
    return new TlsBytes().u8(type).u16(version).u16(body.length).bytes(body).toArray();
  }

  static byte[] handshakeRecord(byte[] messages) {
    return record(22, 0x0301, messages);
  }

  static byte[] message(int type, byte[] body) {
    return new TlsBytes().u8(type).u24(body.length).bytes(body).toArray();
  }

  static byte[] extension(int type, byte[] data) {
    return new TlsBytes().u16(type).u16(data.length).bytes(data).toArray();
  }

  /** A ClientHello with one suite; {@code extensions} null for none at all (SSL 3.0 style). */
  static byte[] clientHello(int legacyVersion, byte[] extensions) {
    TlsBytes b = new TlsBytes().u16(legacyVersion).zeros(32).u8(0).u16(2).u16(0xC02F).u8(1).u8(0);
    if (extensions != null) {
      b.u16(extensions.length).bytes(extensions);
    }
    return message(1, b.toArray());
  }

  static byte[] supportedVersions(int... versions) {
    TlsBytes list = new TlsBytes().u8(versions.length * 2);
    for (int v : versions) {
      list.u16(v);
    }
    return extension(43, list.toArray());
  }

  static byte[] serverHello(int legacyVersion, int suite, byte[] extensions) {
    TlsBytes b = new TlsBytes().u16(legacyVersion).zeros(32).u8(0).u16(suite).u8(0);
    if (extensions != null) {
      b.u16(extensions.length).bytes(extensions);
    }
    return message(2, b.toArray());
  }

  static byte[] certificate(byte[] der) {
    byte[] entry = new TlsBytes().u24(der.length).bytes(der).toArray();
    return message(11, new TlsBytes().u24(entry.length).bytes(entry).toArray());
  }

  static byte[] concat(byte[]... parts) {
    TlsBytes b = new TlsBytes();
    for (byte[] p : parts) {
      b.bytes(p);
    }
    return b.toArray();
  }

  static ByteBuffer buffer(byte[]... parts) {
    return ByteBuffer.wrap(concat(parts));
  }

  static byte[] resource(String name) {
    try (InputStream in = TlsBytes.class.getResourceAsStream("/handshake/" + name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
