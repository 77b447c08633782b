#!/usr/bin/env bash
# Instance sizes of the agent's per-flow objects (FlowEntry, TcpStream, PayloadSample, BehindBytes)
# on this JVM, with JOL (org.openjdk.jol:jol-core, fetched into ~/.m2 if missing):
#
#   tools/bench/object-sizes.sh        (from the repository root; builds capture-agent if needed)
set -euo pipefail
jol=org/openjdk/jol/jol-core/0.17/jol-core-0.17.jar
[ -f "$HOME/.m2/repository/$jol" ] ||
  mvn -q -B dependency:get -Dartifact=org.openjdk.jol:jol-core:0.17 >/dev/null
[ -d capture-agent/target/classes ] ||
  mvn -q -B -o package -pl capture-agent -am -DskipTests >/dev/null
java -cp "capture-agent/target/classes:flow-record/target/classes:$HOME/.m2/repository/$jol" \
  tools/bench/ObjectSizes.java 2>/dev/null | grep -v '^#'
