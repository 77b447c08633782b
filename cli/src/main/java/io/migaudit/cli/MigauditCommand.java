package io.migaudit.cli;

import io.migaudit.cli.agent.AgentCommand;
import io.migaudit.cli.analyzer.AnalyzerCommand;
import io.migaudit.cli.bench.AlertDelayCommand;
import io.migaudit.cli.bench.AnalyzerBenchCommand;
import io.migaudit.cli.bench.BenchCommand;
import io.migaudit.cli.bench.CaptureBenchCommand;
import io.migaudit.cli.classify.ClassifyReportCommand;
import io.migaudit.cli.policy.PolicyCommand;
import io.migaudit.cli.replay.ReplayCommand;
import io.migaudit.cli.report.ReportCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Top-level {@code migaudit} command. */
@Command(
    name = "migaudit",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Audits the network traffic of virtual-machine live migration: is the VM memory on the wire",
      "encrypted, between trusted hosts, on the dedicated migration segment?",
      "",
      "Capture agents turn packets into flow records on Kafka (migaudit.flows); the analyzer applies",
      "a policy and publishes alerts (migaudit.alerts)."
    },
    subcommands = {
      ReplayCommand.class,
      AgentCommand.class,
      AnalyzerCommand.class,
      ReportCommand.class,
      PolicyCommand.class,
      ClassifyReportCommand.class,
      BenchCommand.class,
      CaptureBenchCommand.class,
      AnalyzerBenchCommand.class,
      AlertDelayCommand.class,
      CommandLine.HelpCommand.class
    })
public final class MigauditCommand {
  /** Descriptions are written in lines of up to 100 characters; wider help keeps them whole. */
  private static final int USAGE_WIDTH = 120;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * The command line with migaudit's error handling: one line for user errors, traces with
   * --verbose.
   */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new MigauditCommand());
    cl.setUsageHelpWidth(USAGE_WIDTH);
    cl.setExecutionExceptionHandler(new UserErrorHandler());
    return cl;
  }
}
