package io.migaudit.cli;

import picocli.CommandLine.Command;

/** Placeholder replaced below. */
@Command(name = "agent", hidden = true)
final class AgentCommand {}
