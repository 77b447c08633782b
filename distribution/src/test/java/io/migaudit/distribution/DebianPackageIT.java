package io.migaudit.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built {@code migaudit_VERSION_all.deb}: its control fields, its files, and lintian's verdict.
 */
class DebianPackageIT {
  @TempDir Path dir;

  @Test
  void controlFieldsNameTheRuntimeDependencies() throws Exception {
    assertThat(field("Package")).isEqualTo("migaudit");
    assertThat(field("Architecture")).isEqualTo("all");
    assertThat(field("Depends"))
        .contains("default-jre-headless | java17-runtime-headless")
        .contains("libpcap0.8");
    assertThat(Release.deb().getFileName().toString())
        .isEqualTo("migaudit_" + field("Version") + "_all.deb");
  }

  @Test
  void installsUnderUsrShareWithConffilesUnitsAndAUser() throws Exception {
    String files = dpkgDeb("-c");
    assertThat(files)
        .contains("./usr/bin/migaudit -> ../share/migaudit/bin/migaudit")
        .contains("./usr/share/migaudit/bin/migaudit")
        .containsPattern("\\./usr/share/migaudit/lib/cli-[^/]+\\.jar")
        .containsPattern("\\./usr/share/migaudit/lib/broker/kafka_2\\.13-[^/]+\\.jar")
        .contains(
            "./lib/systemd/system/migaudit-agent.service",
            "./lib/systemd/system/migaudit-analyzer.service")
        .contains("./usr/share/doc/migaudit/copyright");
    assertThat(dpkgDeb("-I", "conffiles").lines().toList())
        .containsExactlyInAnyOrder(
            "/etc/migaudit/agent.yaml", "/etc/migaudit/analyzer.yaml", "/etc/migaudit/policy.yaml");
    assertThat(dpkgDeb("-I", "postinst"))
        .contains("adduser --system")
        .contains("install -d -o migaudit -g migaudit -m 0700")
        .contains("MIGAUDIT_CDS_WRITE=/var/cache/migaudit/classes.jsa /usr/bin/migaudit");
    assertThat(dpkgDeb("-I", "postrm")).contains("rm -rf /var/cache/migaudit");
  }

  @Test
  void lintianFindsNoError() throws Exception {
    Programs.Result r =
        Programs.run(dir, "lintian", "--tag-display-limit", "0", Release.deb().toString());
    List<String> errors = r.output().lines().filter(l -> l.startsWith("E: ")).toList();
    assertThat(errors).as("lintian:%n%s", r.output()).isEmpty();
    assertThat(r.exitCode()).as("lintian:%n%s", r.output()).isZero();
  }

  private String field(String name) throws Exception {
    return dpkgDeb("-f")
        .lines()
        .filter(l -> l.startsWith(name + ": "))
        .map(l -> l.substring(name.length() + 2))
        .findFirst()
        .orElseThrow();
  }

  private String dpkgDeb(String option, String... more) throws Exception {
    String[] command = new String[3 + more.length];
    command[0] = "dpkg-deb";
    command[1] = option;
    command[2] = Release.deb().toString();
    System.arraycopy(more, 0, command, 3, more.length);
    Programs.Result r = Programs.run(dir, command);
    assertThat(r.exitCode()).as(r.output()).isZero();
    return r.output();
  }
}
