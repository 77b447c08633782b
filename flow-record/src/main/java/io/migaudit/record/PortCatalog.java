package io.migaudit.record;

import java.util.ArrayList;
import java.util.List;

/**
 * Which server ports carry live migration (docs/DESIGN.md, "Port catalog"). Shared by the agent,
 * which labels flows with it, and the analyzer, which adds the policy's ports.
 */
public final class PortCatalog {

  /** One protocol on a range of ports of one transport. */
  public record Entry(String protocol, String transport, int firstPort, int lastPort) {
    public Entry {
      if (firstPort < 1 || lastPort > 65535 || firstPort > lastPort) {
        throw new IllegalArgumentException("bad port range " + firstPort + "-" + lastPort);
      }
    }

    public static Entry tcp(String protocol, int port) {
      return new Entry(protocol, "tcp", port, port);
    }

    boolean matches(String transport, int port) {
      return this.transport.equals(transport) && port >= firstPort && port <= lastPort;
    }
  }

  private static final PortCatalog BUILT_IN =
      new PortCatalog(
          List.of(
              Entry.tcp("vmotion", 8000),
              Entry.tcp("hyperv", 6600),
              Entry.tcp("hyperv-smb", 445),
              new Entry("qemu", "tcp", 49152, 49215),
              Entry.tcp("libvirt-tcp", 16509),
              Entry.tcp("libvirt-tls", 16514),
              Entry.tcp("xen", 8002),
              new Entry("proxmox", "tcp", 60000, 60050)));

  private final List<Entry> entries;

  private PortCatalog(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** The catalog of docs/DESIGN.md. */
  public static PortCatalog builtIn() {
    return BUILT_IN;
  }

  /** This catalog plus more entries; the added ones win where they overlap. */
  public PortCatalog with(List<Entry> more) {
    List<Entry> all = new ArrayList<>(more);
    all.addAll(entries);
    return new PortCatalog(all);
  }

  public List<Entry> entries() {
    return entries;
  }

  /** The migration protocol served on this port, or null. */
  public String protocolOf(String transport, int port) {
    for (Entry e : entries) {
      if (e.matches(transport, port)) {
        return e.protocol();
      }
    }
    return null;
  }
}
