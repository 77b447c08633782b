package io.migaudit.cli.agent;

import io.migaudit.agent.source.CaptureBackend;
import io.migaudit.agent.source.LiveCaptureOptions;
import io.migaudit.cli.common.CaptureBackendConverter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The live-capture options of {@code migaudit agent} (a picocli mixin). Null means "not given on
 * the command line": the {@code --config} file's value, else the default, applies ({@link
 * AgentSettings}).
 */
final class LiveOptions {
  @Option(
      names = "--interface",
      paramLabel = "NAME",
      description = {
        "Capture live on this interface (repeatable: one capture thread each; `any` = all",
        "interfaces, as Linux cooked capture). Needs root or CAP_NET_RAW and libpcap (Npcap on Windows)."
      })
  List<String> interfaces;

  @Option(
      names = "--snaplen",
      paramLabel = "BYTES",
      description =
          "Bytes kept of each frame (default: "
              + LiveCaptureOptions.DEFAULT_SNAPLEN_BYTES
              + ", libpcap's largest: whole frames, also 64 KiB superframes of NIC offloads and"
              + " loopback). Below a whole frame (1514 bytes, 9018 with jumbo frames) payload verdicts"
              + " see only each segment's start: framings cannot be followed and many flows are"
              + " judged unknown.")
  Integer snaplenBytes;

  @Option(
      names = "--promiscuous",
      negatable = true,
      description =
          "Put the interfaces in promiscuous mode, as mirror and SPAN ports need (default: on; --no-promiscuous).")
  Boolean promiscuous;

  @Option(
      names = "--buffer-size",
      paramLabel = "BYTES",
      description =
          "Kernel capture buffer per interface (default: "
              + LiveCaptureOptions.DEFAULT_BUFFER_BYTES
              + "); raise it when kernel drops show up.")
  Integer bufferBytes;

  @Option(
      names = "--bpf-extra",
      paramLabel = "EXPR",
      description = {
        "pcap-filter expression ORed with the built-in filter (migration ports, ESP, Kerberos,",
        "GRE/ERSPAN, VXLAN, Geneve, and segments that open a QEMU or Xen migration stream on any port,",
        "whose connection the agent then follows), e.g. \"net 192.168.50.0/24\" to see all traffic on a",
        "migration segment."
      })
  String bpfExtra;

  @Option(
      names = "--policy",
      paramLabel = "FILE",
      description = {
        "The analyzer's policy file: the capture also takes all traffic inside its migrationNetworks",
        "(other traffic on a migration segment) and all TCP and UDP between its trustedHosts",
        "(migrations on any port, or in a UDP tunnel that does not encrypt)."
      })
  Path policy;

  @Option(
      names = "--capture-backend",
      paramLabel = "libpcap|tcpdump|pcap4j",
      converter = CaptureBackendConverter.class,
      description = {
        "How frames are read: libpcap (called directly, nothing allocated per frame; fastest),",
        "tcpdump (a tcpdump child streams pcap to the agent: capture privileges stay with tcpdump),",
        "pcap4j (portable, e.g. Windows with Npcap; about 25x slower than libpcap).",
        "Default: libpcap where it works (64-bit Linux, macOS), else pcap4j."
      })
  CaptureBackend backend;

  @Option(
      names = "--workers",
      paramLabel = "N",
      description = {
        "Capture workers, each with a flow table of its own (default: cores - 1, at least 1).",
        "Live (libpcap backend, Linux): N captures per interface in one AF_PACKET fanout group, the",
        "kernel keeping both directions of a flow on one worker; tcpdump and pcap4j read with one.",
        "--read: the N workers take turns reading the file, each frame going to its flow's worker;",
        "a flow goes to the least loaded worker when it starts, so a migration's streams spread out."
      })
  Integer workers;
}
