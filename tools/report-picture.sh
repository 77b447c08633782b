#!/usr/bin/env bash
# Makes docs/report-samples.png, the README's picture of the samples' compliance report, by the same
# path the test takes: SampleReportIT replays samples/, writes the report page, renders it with
# headless Chromium (Debian package chromium) and copies the PNG here.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -pl cli -am verify -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=SampleReportIT -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dmigaudit.reportPicture="$PWD/docs/report-samples.png"
ls -l docs/report-samples.png
