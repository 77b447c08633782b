package io.migaudit.testsupport;

import io.migaudit.record.PortCatalog;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;

/**
 * A QEMU-like migration over this host's loopback, for the tests of live capture: a listener on a
 * port the built-in catalog does not list, the stream's opening, and plaintext pages to send after
 * it.
 */
public final class LoopbackMigration {
  /** QEMU_VM_FILE_MAGIC and QEMU_VM_FILE_VERSION (migration/savevm.c), then a section start. */
  private static final byte[] QEMU_OPENING = {'Q', 'E', 'V', 'M', 0, 0, 0, 3, 7};

  private static final int PAGE_BYTES = 4096;
  private static final int PORT_TRIES = 100;

  private LoopbackMigration() {}

  /** The first bytes of a QEMU migration stream. */
  public static byte[] qemuOpening() {
    return QEMU_OPENING.clone();
  }

  /** A listener on {@code host} (a loopback address), on a port the catalog does not list. */
  public static ServerSocket unlistedListener(String host) throws IOException {
    for (int attempt = 0; attempt < PORT_TRIES; attempt++) {
      ServerSocket s = new ServerSocket();
      s.bind(new InetSocketAddress(InetAddress.getByName(host), 0), 1);
      if (PortCatalog.builtIn().protocolOf("tcp", s.getLocalPort()) == null) {
        return s;
      }
      s.close();
    }
    throw new IOException("no port the catalog does not list in " + PORT_TRIES + " tries");
  }

  /**
   * An unconnected socket bound to {@code host} (a loopback address) on a port the catalog does not
   * list. The capture filter passes catalog ports in either direction, so a connection whose
   * ephemeral source port fell in 49152-49215 or 60000-60050 (about 0.4 % of Linux's 32768-60999)
   * would be inside the filter from its start, and no follower would have to widen it.
   */
  public static Socket unlistedClient(String host) throws IOException {
    for (int attempt = 0; attempt < PORT_TRIES; attempt++) {
      Socket s = new Socket();
      s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
      if (PortCatalog.builtIn().protocolOf("tcp", s.getLocalPort()) == null) {
        return s;
      }
      s.close();
    }
    throw new IOException("no port the catalog does not list in " + PORT_TRIES + " tries");
  }

  /** Writes {@code bytes} of plaintext guest pages (4 KiB pages of one letter) to {@code out}. */
  public static void writePages(OutputStream out, int bytes) throws IOException {
    byte[] page = new byte[PAGE_BYTES];
    Arrays.fill(page, (byte) 'a');
    for (int sent = 0; sent < bytes; sent += page.length) {
      out.write(page);
    }
  }
}
