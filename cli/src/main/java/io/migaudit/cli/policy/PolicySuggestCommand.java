package io.migaudit.cli.policy;

import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.FileAgent;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.analyzer.suggest.PolicySuggestion;
import io.migaudit.analyzer.suggest.SuggestedPolicyYaml;
import io.migaudit.cli.common.CaptureFiles;
import io.migaudit.cli.common.UserError;
import io.migaudit.cli.common.VerboseOption;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.PortCatalog;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code migaudit policy suggest}: the migrations in captures, and a commented policy from them.
 */
@Command(
    name = "suggest",
    mixinStandardHelpOptions = true,
    description = {
      "Reads capture files, lists the live-migration flows in them (by the catalog's ports, by a",
      "migration signature on any port, or bulk ESP/SSH/TLS tunnels) and writes a commented policy:",
      "migration networks from the VLANs and address prefixes (/24, /64) the migrations used, trusted",
      "hosts from the hosts that sent migrations, each entry with the flows and bytes behind it and",
      "when it was last seen. A host seen only as a destination, or in one flow only, is listed",
      "commented out with why: it is never trusted silently. Zones are left as a commented example.",
      "Review the file before using it: it says what was seen, not what should be allowed."
    },
    footer = {
      "",
      "Example:",
      "  ./migaudit policy suggest --output policy.yaml /var/tmp/vmotion-week.pcapng"
    })
final class PolicySuggestCommand implements Callable<Integer> {
  @Parameters(
      arity = "1..*",
      paramLabel = "CAPTURE_OR_DIR",
      description = "Capture files or directories.")
  List<Path> inputs;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      defaultValue = "suggested-policy.yaml",
      description =
          "Where to write the policy (default: ${DEFAULT-VALUE}); an existing file needs --force.")
  Path output;

  @Option(names = "--force", description = "Overwrite --output if it exists.")
  boolean force;

  @Mixin VerboseOption verbose = new VerboseOption();

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    List<Path> files = CaptureFiles.expand(inputs);
    CaptureFiles.requireReadable(files);
    if (Files.exists(output) && !force) {
      throw new UserError(
          output + ": exists; pass --force to overwrite it or --output another file");
    }
    PolicySuggestion suggestion = new PolicySuggestion(PortCatalog.builtIn());
    PipelineCounters counters = new PipelineCounters();
    new FileAgent(AgentConfig.defaults("policy-suggest"), suggestion::add, counters).read(files);
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "Read %d capture file%s: %d packets%n",
        files.size(), files.size() == 1 ? "" : "s", counters.packets());
    List<PolicySuggestion.Listed> flows = suggestion.flows();
    out.printf("%nMigration flows (%d):%n", flows.size());
    flows.forEach(l -> out.println("  " + line(l)));
    if (flows.isEmpty()) {
      out.println("  (none)");
    }
    String yaml =
        SuggestedPolicyYaml.render(
            suggestion,
            files.size()
                + " capture file(s): "
                + String.join(" ", inputs.stream().map(Path::toString).toList()));
    try {
      Files.writeString(output, yaml, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UserError(output + ": cannot write: " + e.getMessage(), e);
    }
    out.printf(
        "%nSuggested %d trusted host(s) (%d listed commented out, with why); wrote %s%n",
        suggestion.trusted().size(), suggestion.hostCount() - suggestion.trusted().size(), output);
    out.flush();
    return 0;
  }

  private static String line(PolicySuggestion.Listed l) {
    FlowRecord r = l.sighting().record();
    return String.format(
        "%-11s %s:%d -> %s:%d%s  %d bytes  %s  %s; %s",
        l.sighting().protocol(),
        bracketed(r.src()),
        r.srcPort(),
        bracketed(r.dst()),
        r.dstPort(),
        r.vlan() == null ? "" : " vlan " + r.vlan(),
        r.totalBytes(),
        r.payload() == null ? "unknown" : r.payload().verdict().wire(),
        l.sighting().reason(),
        l.status());
  }

  private static String bracketed(String address) {
    return address.indexOf(':') >= 0 ? "[" + address + "]" : address;
  }
}
