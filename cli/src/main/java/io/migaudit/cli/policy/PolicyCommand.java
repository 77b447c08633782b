package io.migaudit.cli.policy;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code migaudit policy}: commands about the policy file. */
@Command(
    name = "policy",
    mixinStandardHelpOptions = true,
    description = "Commands about the policy: suggest writes a first policy.yaml from captures.",
    subcommands = {PolicySuggestCommand.class, CommandLine.HelpCommand.class})
public final class PolicyCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "give a subcommand: suggest");
  }
}
