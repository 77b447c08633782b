import io.migaudit.agent.source.CaptureFilter;
import io.migaudit.agent.source.CaptureScope;
import io.migaudit.record.PortCatalog;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.BpfProgram.BpfCompileMode;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * What following connections costs the live agent's filter: for 0 to 64 connections followed, the
 * filter's length and how long libpcap takes to compile it (the median of 9), with the samples'
 * policy scope; each filter is written to DIR/N.filter (args[0]) for tcpdump -d to count its BPF
 * instructions. Run by tools/bench/follow-filter-cost.sh.
 */
public class FollowFilterCost {
  public static void main(String[] args) throws Exception {
    CaptureScope scope =
        new CaptureScope(
            List.of(List.of("192.168.50.0/24", "fd00:50::/64"), List.of("10.66.0.0/24")),
            List.of("192.168.50.11", "192.168.50.12", "10.66.0.21", "10.66.0.22"));
    String base = CaptureFilter.of(PortCatalog.builtIn(), scope, null);
    Inet4Address netmask = (Inet4Address) InetAddress.getByName("255.255.255.255");
    java.nio.file.Path dir = java.nio.file.Path.of(args[0]);
    for (int n : new int[] {0, 1, 4, 8, 16, 32, 64}) {
      List<String> connections = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        connections.add(
            CaptureFilter.connection("192.168.50.11", 40000 + i, "10.9.9." + (1 + i), 4444));
      }
      String filter = CaptureFilter.widened(base, connections);
      long[] micros = new long[9];
      for (int r = 0; r < micros.length; r++) {
        long t = System.nanoTime();
        BpfProgram p =
            Pcaps.compileFilter(262144, DataLinkType.EN10MB, filter, BpfCompileMode.OPTIMIZE, netmask);
        micros[r] = (System.nanoTime() - t) / 1000;
        p.free();
      }
      java.util.Arrays.sort(micros);
      java.nio.file.Files.writeString(dir.resolve(n + ".filter"), filter);
      System.out.printf("%d %d %.1f%n", n, filter.length(), micros[4] / 1000.0);
    }
  }
}
