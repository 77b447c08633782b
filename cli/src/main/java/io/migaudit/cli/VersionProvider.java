package io.migaudit.cli;

import picocli.CommandLine.IVersionProvider;

/** Version from the jar manifest (Maven's project version), "dev" when run from classes. */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = MigauditCommand.class.getPackage().getImplementationVersion();
    return new String[] {"migaudit " + (v == null ? "dev" : v)};
  }
}
