package io.migaudit.cli;

import picocli.CommandLine.Command;

/** Placeholder replaced below. */
@Command(name = "analyzer", hidden = true)
final class AnalyzerCommand {}
