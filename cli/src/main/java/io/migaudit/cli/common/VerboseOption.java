package io.migaudit.cli.common;

import picocli.CommandLine.Option;

/** {@code --verbose} of the commands where it only adds stack traces (a picocli mixin). */
public final class VerboseOption implements Verbosity {
  @Option(names = "--verbose", description = "Print stack traces of errors.")
  boolean verbose;

  @Override
  public boolean verbose() {
    return verbose;
  }
}
