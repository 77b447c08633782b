package io.migaudit.cli.classify;

import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.PolicyException;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.cli.common.UserError;
import io.migaudit.cli.common.VerboseOption;
import io.migaudit.record.Verdict;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code migaudit classify-report}: accuracy and time to verdict of the classifier on samples. */
@Command(
    name = "classify-report",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the capture agent over sample directories (each with a capture and an expect.yaml) and",
      "compares the verdict of every migration flow with the one expect.yaml gives: one line per",
      "flow with the payload bytes and capture milliseconds the classifier needed before its",
      "verdict stopped changing, then a confusion matrix. No Kafka is involved.",
      "Exit 0 when every flow got its expected verdict, 3 when some did not."
    },
    footer = {
      "",
      "Example:",
      "  ./migaudit classify-report samples/",
      "  ./migaudit classify-report --markdown samples/"
    })
public final class ClassifyReportCommand implements Callable<Integer> {
  static final int MISMATCH = 3;

  /** The bound: every verdict must be final within this much migration payload. */
  static final long VERDICT_BUDGET_BYTES = 256 * 1024;

  @Parameters(
      arity = "1..*",
      paramLabel = "DIR",
      description = "Sample directories, or directories holding sample directories.")
  List<Path> inputs;

  @Option(
      names = "--policy",
      paramLabel = "FILE",
      description =
          "Policy YAML (it decides which flows are migrations). Default: policy.yaml in the first DIR.")
  Path policyFile;

  @Option(names = "--markdown", description = "Print Markdown tables (for BENCHMARKS.md).")
  boolean markdown;

  @Mixin VerboseOption verbose = new VerboseOption();

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    List<Path> samples = new ArrayList<>();
    for (Path p : inputs) {
      if (Files.isRegularFile(p.resolve(SampleExpectation.FILE))) {
        samples.add(p);
      } else if (Files.isDirectory(p)) {
        SampleExpectation.directories(p).forEach(samples::add);
      } else {
        throw new UserError(p + ": no such directory");
      }
    }
    if (samples.isEmpty()) {
      throw new UserError(
          "no sample directories (with " + SampleExpectation.FILE + ") in " + inputs);
    }
    ClassifyReport report = new ClassifyReport(loadPolicy());
    List<ClassifyReport.Row> rows = new ArrayList<>();
    for (Path s : samples) {
      rows.addAll(report.run(s));
    }
    PrintWriter out = spec.commandLine().getOut();
    new ClassifyReportPrinter(out, markdown).print(rows, VERDICT_BUDGET_BYTES);
    out.flush();
    return rows.stream().allMatch(ClassifyReport.Row::correct) ? 0 : MISMATCH;
  }

  private Policy loadPolicy() throws UserError {
    Path file = policyFile != null ? policyFile : inputs.get(0).resolve("policy.yaml");
    if (!Files.isRegularFile(file)) {
      throw new UserError("no policy: pass --policy FILE (" + file + " does not exist)");
    }
    try {
      return PolicyLoader.load(file);
    } catch (PolicyException e) {
      throw new UserError(e.getMessage(), e);
    }
  }

  static String kib(long bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / 1024.0);
  }

  static List<String> verdictNames() {
    List<String> names = new ArrayList<>();
    for (Verdict v : Verdict.values()) {
      names.add(v.wire());
    }
    return names;
  }
}
